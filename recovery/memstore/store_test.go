package memstore_test

import (
	"testing"

	"github.com/grassroots-policing/grassroots/casework"
	kmem "github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/grassroots-policing/grassroots/recovery"
	"github.com/grassroots-policing/grassroots/recovery/memstore"
	"github.com/grassroots-policing/grassroots/recovery/storetest"
)

func TestStore(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) (recovery.Store, casework.KernelStore) {
		db := kmem.New()
		return memstore.New(db), db
	})
}
