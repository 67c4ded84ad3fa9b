package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
)

// TestServer_DebugListen: the profiling endpoints are served on --debug-listen only,
// never on the API address.
func TestServer_DebugListen(t *testing.T) {
	get := func(url string) (int, string) {
		t.Helper()
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, debug := range []bool{false, true} {
		cfg := DefaultConfig()
		cfg.Listen, cfg.DataDir = "127.0.0.1:0", t.TempDir()
		if debug {
			cfg.DebugListen = "127.0.0.1:0"
		}
		srv, err := OpenServer(context.Background(), cfg, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		if code, _ := get("http://" + srv.Addr + "/debug/pprof/cmdline"); code == http.StatusOK {
			t.Errorf("debug=%v: the API address serves /debug/pprof/", debug)
		}
		if debug != (srv.DebugAddr != "") {
			t.Errorf("debug=%v: DebugAddr %q", debug, srv.DebugAddr)
		}
		if debug {
			if code, body := get("http://" + srv.DebugAddr + "/debug/pprof/heap?debug=1"); code != http.StatusOK || len(body) == 0 {
				t.Errorf("GET /debug/pprof/heap on the debug address: %d, %d bytes", code, len(body))
			}
		}
		if err := srv.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}
