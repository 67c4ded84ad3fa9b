package sigv4_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/awsproto/sigv4"
)

const (
	testAK       = "AKIACAIRNTESTKEY0001"
	testSecret   = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	inactiveAK   = "AKIACAIRNINACTIVE001"
	brokenAK     = "AKIACAIRNSTOREBROKEN"
	testAccount  = "123456789012"
	testUserName = "alice"
)

// t0 is the verifier's "now" in tests.
var t0 = time.Date(2026, 1, 1, 0, 30, 0, 0, time.UTC)

var testPrincipal = cairn.Principal{
	Type:        cairn.PrincipalIAMUser,
	AccountID:   testAccount,
	PrincipalID: "AIDACAIRNTESTUSER0001",
	ARN:         "arn:aws:iam::" + testAccount + ":user/" + testUserName,
	UserName:    testUserName,
	AccessKeyID: testAK,
}

// memCreds is a map-backed cairn.CredentialStore fixture.
type memCreds map[string]cairn.Credential

func (m memCreds) Credential(_ context.Context, ak string) (cairn.Credential, error) {
	if ak == brokenAK {
		return cairn.Credential{}, fmt.Errorf("read credential: disk on fire")
	}
	c, ok := m[ak]
	if !ok {
		return cairn.Credential{}, fmt.Errorf("access key %q: %w", ak, cairn.ErrNotFound)
	}
	return c, nil
}

func testStore() memCreds {
	inactive := testPrincipal
	inactive.AccessKeyID = inactiveAK
	return memCreds{
		testAK:     {AccessKeyID: testAK, SecretAccessKey: testSecret, Principal: testPrincipal, Active: true},
		inactiveAK: {AccessKeyID: inactiveAK, SecretAccessKey: testSecret, Principal: inactive, Active: false},
	}
}

func newVerifier(now time.Time) *sigv4.Verifier {
	return &sigv4.Verifier{Credentials: testStore(), Clock: cairn.ClockFunc(func() time.Time { return now })}
}

// wire sends a client request through its HTTP/1.1 wire form and returns the
// request as a Go server sees it, with its body read as the gateway would.
func wire(tb testing.TB, req *http.Request) (*http.Request, []byte) {
	tb.Helper()
	var buf bytes.Buffer
	if err := req.Write(&buf); err != nil {
		tb.Fatalf("write request: %v", err)
	}
	sr, err := http.ReadRequest(bufio.NewReader(&buf))
	if err != nil {
		tb.Fatalf("read request: %v\n%s", err, buf.String())
	}
	body, err := io.ReadAll(sr.Body)
	if err != nil {
		tb.Fatalf("read body: %v", err)
	}
	return sr, body
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// withoutSignedHeader removes name from the SignedHeaders list of an Authorization header.
func withoutSignedHeader(authz, name string) string {
	i := strings.Index(authz, "SignedHeaders=")
	if i < 0 {
		return authz
	}
	start := i + len("SignedHeaders=")
	end := strings.IndexByte(authz[start:], ',')
	if end < 0 {
		end = len(authz) - start
	}
	list := strings.Split(authz[start:start+end], ";")
	var kept []string
	for _, h := range list {
		if h != name {
			kept = append(kept, h)
		}
	}
	return authz[:start] + strings.Join(kept, ";") + authz[start+end:]
}
