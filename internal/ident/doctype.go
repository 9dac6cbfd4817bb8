// Package ident holds the identity-document rules of the records system:
// which document numbers are well formed, what they reveal about their
// holder, and how they may be shown on screen. Everything here is a pure
// function of its arguments so the same rules apply at the API edge, in
// batch imports and in tests, and so "now" is always supplied by the caller.
package ident

// DocType identifies the kind of identity document a number belongs to.
// The values are persisted and exchanged with other systems, so they are
// stable lower_snake codes and must never be renamed.
type DocType string

const (
	// DocResidentID is the second-generation 18-character 居民身份证.
	DocResidentID DocType = "resident_id"
	// DocResidentIDLegacy is the 15-digit first-generation number; old
	// paper records still carry it and cannot be silently upgraded because
	// the 18-character form's sequence digits are not derivable.
	DocResidentIDLegacy DocType = "resident_id_legacy"
	// DocHKMacaoResidencePermit is the 港澳居民居住证, numbered like a
	// resident ID under the 810000 (Hong Kong) or 820000 (Macao) prefix.
	DocHKMacaoResidencePermit DocType = "hk_macao_residence_permit"
	// DocTaiwanResidencePermit is the 台湾居民居住证, numbered like a
	// resident ID under the 830000 prefix.
	DocTaiwanResidencePermit DocType = "taiwan_residence_permit"
	// DocForeignPermanentResidence is the 外国人永久居留身份证 in either its
	// 15-character (2017) or 18-character (2023) numbering.
	DocForeignPermanentResidence DocType = "foreign_permanent_residence"
	// DocPassport is any passport; issuing states differ too much for more
	// than a charset and length check.
	DocPassport DocType = "passport"
	// DocNone records explicitly that the person presented no document, so
	// that "unknown" is distinguishable from "not yet entered".
	DocNone DocType = "none"
)

// docTypes fixes the order in which document types are offered to users:
// most common first.
var docTypes = []DocType{
	DocResidentID,
	DocResidentIDLegacy,
	DocHKMacaoResidencePermit,
	DocTaiwanResidencePermit,
	DocForeignPermanentResidence,
	DocPassport,
	DocNone,
}

var docLabels = map[DocType]struct{ zh, en string }{
	DocResidentID:                {"居民身份证", "Resident Identity Card"},
	DocResidentIDLegacy:          {"居民身份证（15位旧号码）", "Resident Identity Card (15-digit legacy number)"},
	DocHKMacaoResidencePermit:    {"港澳居民居住证", "Residence Permit for Hong Kong and Macao Residents"},
	DocTaiwanResidencePermit:     {"台湾居民居住证", "Residence Permit for Taiwan Residents"},
	DocForeignPermanentResidence: {"外国人永久居留身份证", "Foreign Permanent Resident ID Card"},
	DocPassport:                  {"护照", "Passport"},
	DocNone:                      {"无证件", "No document"},
}

// DocTypes returns every known document type in display order. It returns
// a fresh slice so callers may reorder it without affecting others.
func DocTypes() []DocType {
	return append([]DocType(nil), docTypes...)
}

// Valid reports whether t is one of the known codes; values arrive from
// requests and databases and must be checked before they are trusted.
func (t DocType) Valid() bool {
	_, ok := docLabels[t]
	return ok
}

// LabelZH returns the Chinese name used on forms and printed records, or ""
// for an unknown type so that a bad code is never displayed as if it were a
// real document name.
func (t DocType) LabelZH() string { return docLabels[t].zh }

// LabelEN returns the English name for bilingual output, or "" for an
// unknown type.
func (t DocType) LabelEN() string { return docLabels[t].en }

// idCardLike reports whether numbers of t follow the GB 11643 18-character
// layout (region, birth date, sequence, check digit) when 18 long, which is
// what masking and gender extraction rely on.
func (t DocType) idCardLike() bool {
	switch t {
	case DocResidentID, DocHKMacaoResidencePermit, DocTaiwanResidencePermit, DocForeignPermanentResidence:
		return true
	}
	return false
}
