package memstore_test

import (
	"testing"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	"github.com/grassroots-policing/grassroots/casework/cases/memstore"
	"github.com/grassroots-policing/grassroots/casework/cases/storetest"
	casemem "github.com/grassroots-policing/grassroots/casework/memstore"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) (cases.Store, casework.KernelStore) {
		db := casemem.New()
		return memstore.New(db), db
	})
}
