package restxml

import (
	"fmt"
	"reflect"
	"sync"
)

// maxPooledBuffer bounds the buffers kept for reuse: a ListDistributions page of
// 1,000 summaries is about 3 MiB.
const maxPooledBuffer = 8 << 20

// buffer is a reusable response body buffer.
type buffer struct{ b []byte }

var buffers = sync.Pool{New: func() any { return new(buffer) }}

func getBuffer() *buffer { return buffers.Get().(*buffer) }

// putBuffer returns buf to the pool; its bytes must no longer be used.
func putBuffer(buf *buffer) {
	if cap(buf.b) > maxPooledBuffer {
		buf.b = nil
	}
	buf.b = buf.b[:0]
	buffers.Put(buf)
}

// document writes v (a structure or pointer to one) into buf as Marshal does and
// returns the document, which is valid until buf goes back to the pool.
func (buf *buffer) document(root, namespace string, v reflect.Value) ([]byte, error) {
	ptr, p, ok := documentOf(v)
	if !ok {
		return nil, fmt.Errorf("restxml: cannot encode %s as a document", v.Type())
	}
	if n := int(p.last.Load()); cap(buf.b) < n {
		buf.b = make([]byte, 0, n)
	}
	b, err := appendDocument(buf.b[:0], root, namespace, ptr, p)
	if err != nil {
		return nil, err
	}
	buf.b = b
	p.last.Store(int64(len(b)))
	return b, nil
}
