package memstore_test

import (
	"testing"

	"github.com/grassroots-policing/grassroots/casework"
	casemem "github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/grassroots-policing/grassroots/mediation"
	"github.com/grassroots-policing/grassroots/mediation/memstore"
	"github.com/grassroots-policing/grassroots/mediation/storetest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) (mediation.Store, casework.KernelStore) {
		db := casemem.New()
		return memstore.New(db), db
	})
}
