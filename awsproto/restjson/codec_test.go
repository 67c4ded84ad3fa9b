package restjson_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	kvsapi "github.com/cairnhq/cairn/api/cloudfrontkeyvaluestore"
	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/awsproto/rest"
	"github.com/cairnhq/cairn/awsproto/restjson"
)

func TestWriteResponse(t *testing.T) {
	t.Parallel()
	w := httptest.NewRecorder()
	restjson.WriteResponse(w, "rid-1", kvsapi.Operations["DescribeKeyValueStore"], &kvsapi.DescribeKeyValueStoreResponse{
		ETag: aws.String("KV1"), KvsARN: aws.String(kvsARN), ItemCount: aws.Int32(0), TotalSizeInBytes: aws.Int64(0),
		Created: awsproto.NewTimestamp(storeCreated),
	})
	want := `{"Created":1741064767,"ItemCount":0,"KvsARN":"` + kvsARN + `","TotalSizeInBytes":0}`
	if w.Code != 200 || w.Body.String() != want {
		t.Fatalf("%d %s\nwant %s", w.Code, w.Body, want)
	}
	for k, v := range map[string]string{"ETag": "KV1", "Content-Type": "application/json", "X-Amzn-RequestId": "rid-1"} {
		if got := w.Header().Get(k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
}

func TestWriteError(t *testing.T) {
	t.Parallel()
	w := httptest.NewRecorder()
	restjson.WriteError(w, "rid-2", kvsapi.NewConflictException(`ETag "x" <stale>`))
	if w.Code != 409 || w.Body.String() != `{"message":"ETag \"x\" <stale>"}` ||
		w.Header().Get("X-Amzn-ErrorType") != "ConflictException" || w.Header().Get("X-Amzn-RequestId") != "rid-2" {
		t.Fatalf("%d %v %s", w.Code, w.Header(), w.Body)
	}
	w = httptest.NewRecorder()
	restjson.WriteError(w, "", &awsproto.Error{Code: "Weird", Status: 200})
	if w.Code != 500 {
		t.Fatalf("an error with a success status went out as %d", w.Code)
	}
}

func TestDecode(t *testing.T) {
	t.Parallel()
	op := kvsapi.Operations["UpdateKeys"]
	body := `{"Puts":[{"Key":"k","Value":"v"}],"Deletes":[{"Key":"d"}],"KvsARN":"ignored: bound to the URI","IfMatch":"ignored"}`
	r := httptest.NewRequest("POST", "/key-value-stores/x/keys", strings.NewReader(body))
	r.Header.Set("If-Match", "KV3")
	var in kvsapi.UpdateKeysRequest
	if err := restjson.Decode(r, []byte(body), op, map[string]string{"KvsARN": kvsARN}, &in); err != nil {
		t.Fatal(err)
	}
	if aws.ToString(in.KvsARN) != kvsARN || aws.ToString(in.IfMatch) != "KV3" || len(in.Puts) != 1 ||
		aws.ToString(in.Puts[0].Value) != "v" || aws.ToString(in.Deletes[0].Key) != "d" {
		t.Fatalf("decoded %+v", in)
	}
}

func TestDecode_Errors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, op, target, body string
	}{
		{"not json", "PutKey", "/", `<Value>x</Value>`},
		{"wrong type", "PutKey", "/", `{"Value":7}`},
		{"bad query", "ListKeys", "/?MaxResults=many", ``},
	} {
		t.Run(c.name, func(t *testing.T) {
			in, _ := kvsapi.NewInput(c.op)
			r := httptest.NewRequest("PUT", c.target, strings.NewReader(c.body))
			err := restjson.Decode(r, []byte(c.body), kvsapi.Operations[c.op], nil, in)
			if e, ok := err.(*awsproto.Error); !ok || e.Code != "SerializationException" || e.Status != 400 {
				t.Fatalf("err = %v, want SerializationException", err)
			}
		})
	}
}

func TestPayloadMembers(t *testing.T) {
	t.Parallel()
	type docIn struct {
		Name *string `json:"-" location:"uri" locationName:"Name"`
		Doc  *struct {
			A int `json:"a"`
		} `json:"Doc"`
	}
	type blobOut struct {
		Data []byte `json:"Data"`
	}
	op := rest.Operation{InputPayload: "Doc", InputPayloadType: rest.PayloadStructure, OutputPayload: "Data",
		OutputPayloadType: rest.PayloadBlob, ResponseCode: 200}
	var in docIn
	if err := restjson.Decode(httptest.NewRequest("POST", "/", nil), []byte(`{"a":3}`), op, map[string]string{"Name": "n"}, &in); err != nil {
		t.Fatal(err)
	}
	if in.Doc == nil || in.Doc.A != 3 || aws.ToString(in.Name) != "n" {
		t.Fatalf("structure payload: %+v", in)
	}
	w := httptest.NewRecorder()
	restjson.WriteResponse(w, "r", op, &blobOut{Data: []byte{0, 1, 2}})
	if w.Body.String() != "\x00\x01\x02" || w.Header().Get("Content-Type") != "application/octet-stream" {
		t.Fatalf("blob payload: %q %v", w.Body, w.Header())
	}
}
