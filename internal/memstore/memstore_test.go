package memstore_test

import (
	"testing"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/internal/memstore"
	"github.com/cairnhq/cairn/internal/metatest"
)

func TestStore_Conformance(t *testing.T) {
	metatest.RunMetaStore(t, func(*testing.T) cairn.MetaStore { return memstore.New() })
}
