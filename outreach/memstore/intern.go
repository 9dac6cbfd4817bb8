package memstore

import "github.com/grassroots-policing/grassroots/outreach"

// internVisit makes v share the strings it repeats with the visits stored
// before it (cmem.Host.Intern): its unit, officers, kinds, target and
// resident. A station's visits name the same few of each, and every
// request decodes its own copies. Call it inside Write, on a clone.
func (s *Store) internVisit(v *outreach.Visit) {
	in := s.db.Intern
	v.UnitID, v.CampaignID, v.PlanEntryID = in(v.UnitID), in(v.CampaignID), in(v.PlanEntryID)
	v.AddressID, v.Address, v.Community = in(v.AddressID), in(v.Address), in(v.Community)
	v.TargetKind, v.TargetKey = outreach.TargetKind(in(string(v.TargetKind))), in(v.TargetKey)
	v.PersonID, v.Organisation, v.RecordedBy = in(v.PersonID), in(v.Organisation), in(v.RecordedBy)
	for i, id := range v.OfficerIDs {
		v.OfficerIDs[i] = in(id)
	}
	for i, sv := range v.Services {
		v.Services[i].Kind = outreach.ServiceKind(in(string(sv.Kind)))
	}
	for i, a := range v.Aid {
		v.Aid[i].Item, v.Aid[i].Unit = in(a.Item), in(a.Unit)
	}
	for i, f := range v.Findings {
		v.Findings[i].Kind = outreach.FindingKind(in(string(f.Kind)))
		v.Findings[i].Step, v.Findings[i].Category, v.Findings[i].Risk = in(f.Step), in(f.Category), in(f.Risk)
		for j, id := range f.PersonIDs {
			v.Findings[i].PersonIDs[j] = in(id)
		}
	}
}
