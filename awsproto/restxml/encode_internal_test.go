package restxml

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/awsproto/rest"
)

type enum string

type blob []byte

type leaf struct {
	Name  *string `xml:"Name,omitempty"`
	Count int32   `xml:"Count"`
}

type withAttrs struct {
	Lang   *string             `xml:"lang,attr"`
	Size   *int                `xml:"size,attr"`
	Ratio  float32             `xml:"ratio,attr"`
	Nested *leaf               `xml:"nested,attr"` // not a scalar: left out
	Any    any                 `xml:"any,attr"`    // an interface: left out
	When   *awsproto.Timestamp `xml:"when,attr"`
	Text   *string             `xml:"Text"`
}

type chain struct {
	Value *string `xml:"Value"`
	Next  *chain  `xml:"Next"`
}

type everything struct {
	Str         *string              `xml:"Str"`
	Empty       *string              `xml:"Empty"`
	Enum        enum                 `xml:"Enum"`
	NoEnum      enum                 `xml:"NoEnum"`
	Plain       string               `xml:"Plain"`
	Bool        *bool                `xml:"Bool"`
	Int8        int8                 `xml:"Int8"`
	Int64       *int64               `xml:"Int64"`
	F32         *float32             `xml:"F32"`
	F64         float64              `xml:"F64"`
	When        *awsproto.Timestamp  `xml:"When"`
	Zero        awsproto.Timestamp   `xml:"Zero"`
	Blob        []byte               `xml:"Blob"`
	EmptyBlob   []byte               `xml:"EmptyBlob"`
	Wrapped     []string             `xml:"Items>CNAME"`
	NoItems     []string             `xml:"NoItems>X"`
	Flat        []leaf               `xml:"Flat"`
	Nested      [][]string           `xml:"Nested>List"`
	Ptrs        []*leaf              `xml:"Ptrs>Leaf"`
	Blobs       [][]byte             `xml:"Blobs>Blob"`
	Map         map[string]string    `xml:"Map"`
	MapList     map[enum][]int       `xml:"MapList"`
	MapStruct   map[string]*leaf     `xml:"MapStruct"`
	Times       []awsproto.Timestamp `xml:"Times>T"`
	PtrPtr      **string             `xml:"PtrPtr"`
	NilPtrPtr   **string             `xml:"NilPtrPtr"`
	Iface       any                  `xml:"Iface"`
	IfaceList   any                  `xml:"IfaceList"`
	IfacePtr    any                  `xml:"IfacePtr"`
	Attrs       *withAttrs           `xml:"Attrs"`
	Chain       *chain               `xml:"Chain"`
	Tagless     *string
	Skipped     *string `xml:"-"`
	unexported  *string
	ScalarArrow *string               `xml:"Outer>Inner"`
	Int16       int16                 `xml:"Int16"`
	Int         *int                  `xml:"Int"`
	F32Val      float32               `xml:"F32Val"`
	Inline      leaf                  `xml:"Inline"`
	MapVal      map[string]leaf       `xml:"MapVal"`
	IfaceStruct any                   `xml:"IfaceStruct"`
	IfaceNilPtr any                   `xml:"IfaceNilPtr"`
	IfaceSlice  []any                 `xml:"IfaceSlice>I"`
	NamedBlob   blob                  `xml:"NamedBlob"`
	TimePtrs    []*awsproto.Timestamp `xml:"TimePtrs>T"`
	ListPtr     *[]string             `xml:"ListPtr"`
}

func ptrTo[T any](v T) *T { return &v }

func TestMarshal_MatchesReference(t *testing.T) {
	t.Parallel()
	s := ptrTo("text")
	deep := &chain{}
	for c, i := deep, 0; i < 70; i++ {
		c.Next = &chain{Value: ptrTo("v")}
		c = c.Next
	}
	shallow := &chain{Value: ptrTo("1"), Next: &chain{Value: ptrTo("2 & 3")}}
	full := &everything{
		Str: ptrTo(`a<b>&"c"'d'` + "\t\n\r\x00\x1f\x7f é \xff\xfe \ufffd \U0001F600 \ufffe"), Empty: ptrTo(""),
		Enum: "PriceClass_All", Plain: "plain", Bool: ptrTo(false), Int8: -8, Int64: ptrTo(int64(1 << 40)),
		F32: ptrTo(float32(0.1)), F64: 1e21, When: awsproto.NewTimestamp(time.Date(2025, 1, 2, 3, 4, 5, 678901234, time.FixedZone("x", 3600))),
		Blob: []byte("function h() {}"), EmptyBlob: []byte{},
		Wrapped: []string{"a.example", "<b>"}, NoItems: []string{},
		Flat:      []leaf{{Name: ptrTo("f1")}, {Count: 2}},
		Nested:    [][]string{{"x", "y"}, nil, {}},
		Ptrs:      []*leaf{{Name: ptrTo("p")}, nil},
		Blobs:     [][]byte{[]byte("ab"), nil},
		Map:       map[string]string{"b": "2", "a": "1", "c&": "<3>"},
		MapList:   map[enum][]int{"k": nil, "j": {}},
		MapStruct: map[string]*leaf{"z": {Count: 9}, "y": nil},
		Times:     []awsproto.Timestamp{{Time: time.Unix(0, 0)}, {}},
		PtrPtr:    &s, NilPtrPtr: new(*string),
		Iface: "in an interface", IfaceList: []string{"m1", "m2"}, IfacePtr: &leaf{Name: ptrTo("ip")},
		Attrs: &withAttrs{Lang: ptrTo(`e"n`), Size: ptrTo(3), Ratio: 0.5, Nested: &leaf{}, Any: "x",
			When: awsproto.NewTimestamp(time.Unix(1, 5e6)), Text: ptrTo("t")},
		Chain: shallow, Tagless: ptrTo("tagless"), Skipped: ptrTo("skipped"), unexported: ptrTo("u"),
		ScalarArrow: ptrTo("arrow"),
		Int16:       -300, Int: ptrTo(-1 << 62), F32Val: 3.25, Inline: leaf{Name: ptrTo("in")},
		MapVal: map[string]leaf{"v": {Count: 1}}, IfaceStruct: leaf{Count: 5}, IfaceNilPtr: (*leaf)(nil),
		IfaceSlice: []any{"s", 1, nil, &leaf{}}, NamedBlob: blob("nb"),
		TimePtrs: []*awsproto.Timestamp{nil, awsproto.NewTimestamp(time.Unix(2, 0))}, ListPtr: &[]string{"lp"},
	}
	for _, c := range []struct {
		name      string
		root, ns  string
		v         any
		wantError bool
	}{
		{name: "everything", root: "Root", ns: `urn:x&"y"`, v: full},
		{name: "value not pointer", root: "Root", v: *full},
		{name: "zero", root: "Root", ns: "urn:x", v: &everything{}},
		{name: "root attributes", root: "Root", v: &withAttrs{Lang: ptrTo("en"), Size: ptrTo(1)}},
		{name: "attributes only", root: "Root", v: withAttrs{}},
		{name: "in an interface", root: "Root", v: any(&leaf{Count: 1})},
		{name: "too deep", root: "Root", v: &everything{Chain: deep}, wantError: true},
		{name: "unsupported", root: "Root", v: &struct {
			U *uint `xml:"U"`
		}{U: ptrTo(uint(1))}, wantError: true},
		{name: "unsupported but nil", root: "Root", v: &struct {
			U *uint `xml:"U"`
		}{}},
		{name: "unsupported attribute", root: "Root", v: &struct {
			U uint `xml:"u,attr"`
		}{U: 1}},
		{name: "unsupported in an interface", root: "Root", v: &struct {
			I any `xml:"I"`
		}{I: complex(1, 2)}, wantError: true},
		{name: "not a structure", root: "Root", v: ptrTo("s"), wantError: true},
		{name: "nil pointer", root: "Root", v: (*leaf)(nil), wantError: true},
		{name: "nil", root: "Root", v: nil, wantError: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			want, wantErr := refMarshal(c.root, c.ns, c.v)
			if (wantErr != nil) != c.wantError {
				t.Fatalf("reference error = %v, want error %v", wantErr, c.wantError)
			}
			for range 2 { // the second time with a plan and a size hint
				got, err := Marshal(c.root, c.ns, c.v)
				if (err != nil) != c.wantError || (err != nil && err.Error() != wantErr.Error()) {
					t.Fatalf("error = %v, want %v", err, wantErr)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("got\n%s\nwant\n%s", got, want)
				}
			}
		})
	}
}

func TestAppendEscaped(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"", "plain", "a&b", `"'<>&`, "tab\there", "nl\n", "cr\r", "\x00", "\x1f", "\x7f", "é", "\xff", "a\xffb",
		"\xed\xa0\x80", "\ufffd", "\ufffe", "\uffff", "\U0010FFFF", "\U0001F600", "\xf4\x90\x80\x80", "x\xc3",
		strings.Repeat("ab<", 100),
	} {
		if got, want := string(appendEscaped([]byte("prefix"), s)), "prefix"+refEscape(s); got != want {
			t.Errorf("appendEscaped(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzAppendEscaped(f *testing.F) {
	for _, s := range []string{"plain", `a<b>&"c"'d'`, "\t\n\r\x00", "é\xff\ufffe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want bytes.Buffer
		_ = xml.EscapeText(&want, []byte(s))
		if got := appendEscaped(nil, s); !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("appendEscaped(%q) = %q, want %q", s, got, want.Bytes())
		}
	})
}

func TestAppendTimestamp(t *testing.T) {
	t.Parallel()
	for _, tm := range []time.Time{
		{}, time.Unix(0, 0), time.Unix(1, 999999999), time.Date(2024, 2, 29, 23, 59, 59, 1e6, time.UTC),
		time.Date(2025, 1, 1, 0, 30, 0, 0, time.FixedZone("x", -5*3600)), time.Date(12345, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		want := rest.FormatTimestamp(tm, rest.TimestampISO8601)
		if got := string(appendTimestamp(nil, tm)); got != want {
			t.Errorf("appendTimestamp(%v) = %q, want %q", tm, got, want)
		}
	}
}
