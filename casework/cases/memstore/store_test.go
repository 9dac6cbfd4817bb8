package memstore_test

import (
	"testing"

	"github.com/grassroots-policing/grassroots/casework/casestoretest"
	"github.com/grassroots-policing/grassroots/casework/memstore"
)

func TestCasesConformance(t *testing.T) {
	casestoretest.Run(t, func(t *testing.T) casestoretest.Backend {
		db := memstore.New()
		return casestoretest.Backend{Kernel: db, Cases: memstore.NewCases(db)}
	})
}
