package memstore_test

import (
	"testing"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/grassroots-policing/grassroots/casework/storetest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(*testing.T) casework.KernelStore { return memstore.New() })
}
