package query_test

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/awsproto/query"
)

func TestWriteResponse(t *testing.T) {
	ok := true
	ratio := 0.5
	v := &shape{
		Attrs:  map[string]string{"b": "2", "a": "<1>"},
		Flat:   []string{"x", "y"},
		Empty:  []string{},
		When:   awsproto.NewTimestamp(time.Date(2024, 3, 1, 12, 30, 15, 0, time.UTC)),
		OK:     &ok,
		Data:   []byte("hi"),
		Ratio:  &ratio,
		Nested: &shape{},
	}
	rec := httptest.NewRecorder()
	query.WriteResponse(rec, "req-1", "Op", "https://example.com/doc/", "OpResult", v)
	const want = `<OpResponse xmlns="https://example.com/doc/"><OpResult>` +
		`<Attrs><entry><key>a</key><value>&lt;1&gt;</value></entry><entry><key>b</key><value>2</value></entry></Attrs>` +
		`<Flat>x</Flat><Flat>y</Flat><Empty></Empty><When>2024-03-01T12:30:15.000Z</When><OK>true</OK>` +
		`<Data>aGk=</Data><Ratio>0.5</Ratio><Nested></Nested>` +
		`</OpResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></OpResponse>`
	if got := rec.Body.String(); got != want {
		t.Errorf("body:\n got %s\nwant %s", got, want)
	}
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "text/xml" || rec.Header().Get("X-Amzn-RequestId") != "req-1" {
		t.Errorf("status %d headers %v", rec.Code, rec.Header())
	}

	rec = httptest.NewRecorder()
	query.WriteResponse(rec, "req-2", "DeleteThing", "ns", "", nil)
	if got := rec.Body.String(); got != `<DeleteThingResponse xmlns="ns"><ResponseMetadata><RequestId>req-2</RequestId></ResponseMetadata></DeleteThingResponse>` {
		t.Errorf("no-output body: %s", got)
	}
}

func TestWriteError(t *testing.T) {
	rec := httptest.NewRecorder()
	query.WriteError(rec, "req-3", "ns", awsproto.NewError("ServiceUnavailable", 503, "try <later>"))
	const want = `<ErrorResponse xmlns="ns"><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code>` +
		`<Message>try &lt;later&gt;</Message></Error><RequestId>req-3</RequestId></ErrorResponse>`
	if rec.Code != 503 || rec.Body.String() != want {
		t.Errorf("%d %s", rec.Code, rec.Body.String())
	}
}
