package eventlog_test

import (
	"testing"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/internal/metatest"
)

func TestMeta_Conformance(t *testing.T) {
	t.Parallel()
	l := mustOpen(t, t.TempDir())
	metatest.RunMetaStore(t, func(*testing.T) cairn.MetaStore { return l.Meta() })
}
