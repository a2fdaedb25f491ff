package api

import (
	"io"
	"sync"

	"github.com/danielgtaylor/huma/v2"

	"realty/internal/jsonw"
)

// jsonFormat is huma's JSON format with a fast path: a body that writes
// its own JSON (jsonw.Appender, e.g. search results) skips reflection and
// is written in one call from a pooled buffer. Output is byte-for-byte what
// the default format writes (each Appender's test holds it so).
var jsonFormat = huma.Format{
	Marshal: func(w io.Writer, v any) error {
		a, ok := v.(jsonw.Appender)
		if !ok {
			return huma.DefaultJSONFormat.Marshal(w, v)
		}
		bp := buffers.Get().(*[]byte)
		b := append(a.AppendJSON((*bp)[:0]), '\n')
		_, err := w.Write(b)
		if cap(b) <= 1<<20 {
			*bp = b
			buffers.Put(bp)
		}
		return err
	},
	Unmarshal: unmarshalJSON,
}

var buffers = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}
