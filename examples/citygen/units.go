package main

// branch is one branch of the Zibo bureau with its stations. Codes follow
// the administrative division (370303 张店区 …); a station's code is its
// branch's and a three-digit number. Names the article or the demo city
// (examples/internal/city) uses are kept with the demo's codes: 潘庄派出所
// 370303001, 般阳路派出所 370302001, 雪官派出所 370305002, 田庄派出所
// 370321003.
type branch struct {
	Code, Name string
	Stations   []string
}

const bureauCode, bureauName = "370300", "淄博市公安局"

// ziboBranches is the tree the generator builds: 11 branches, 62 stations.
var ziboBranches = []branch{
	{"370303", "张店公安分局", []string{"潘庄派出所", "车站派出所", "公园派出所", "和平派出所", "科苑派出所", "四宝山派出所", "马尚派出所", "中埠派出所", "房镇派出所", "湖田派出所"}},
	{"370302", "淄川公安分局", []string{"般阳路派出所", "松龄路派出所", "钟楼派出所", "将军路派出所", "洪山派出所", "昆仑派出所", "寨里派出所", "双杨派出所"}},
	{"370305", "临淄公安分局", []string{"闻韶派出所", "雪官派出所", "稷下派出所", "齐都派出所", "辛店派出所", "敬仲派出所", "凤凰派出所"}},
	{"370304", "博山公安分局", []string{"城东派出所", "城西派出所", "山头派出所", "域城派出所", "白塔派出所", "八陡派出所"}},
	{"370321", "桓台县公安局", []string{"索镇派出所", "少海派出所", "田庄派出所", "起凤派出所", "果里派出所", "唐山派出所"}},
	{"370306", "周村公安分局", []string{"丝绸路派出所", "大街派出所", "青年路派出所", "永安派出所", "北郊派出所"}},
	{"370322", "高青县公安局", []string{"田镇派出所", "芦湖派出所", "青城派出所", "高城派出所"}},
	{"370323", "沂源县公安局", []string{"历山派出所", "南麻派出所", "鲁村派出所", "东里派出所", "悦庄派出所"}},
	{"370391", "高新区公安分局", []string{"石桥派出所", "四宝山区派出所", "卫固派出所", "宝山派出所"}},
	{"370392", "经济开发区公安分局", []string{"傅家派出所", "沣水派出所", "南定派出所"}},
	{"370393", "文昌湖区公安分局", []string{"萌水派出所", "商家派出所", "蒲松龄派出所", "文昌湖派出所"}},
}

// stationCode is the code of the i-th station (0-based) of a branch; the
// demo city's stations keep their codes.
func stationCode(b branch, i int) string {
	switch b.Stations[i] {
	case "雪官派出所":
		return "370305002"
	case "田庄派出所":
		return "370321003"
	}
	return b.Code + pad3(i+1)
}

func pad3(n int) string {
	return string([]byte{byte('0' + n/100%10), byte('0' + n/10%10), byte('0' + n%10)})
}
