package memstore_test

import (
	"testing"

	"github.com/grassroots-policing/grassroots/casework"
	cmem "github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/grassroots-policing/grassroots/outreach"
	"github.com/grassroots-policing/grassroots/outreach/memstore"
	"github.com/grassroots-policing/grassroots/outreach/storetest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) (outreach.Store, casework.KernelStore) {
		db := cmem.New()
		return memstore.New(db), db
	})
}
