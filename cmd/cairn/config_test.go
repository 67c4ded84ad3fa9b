package main

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestConfig_EnvAndFlags(t *testing.T) {
	env := map[string]string{
		"CAIRN_LISTEN":            "127.0.0.1:9999",
		"CAIRN_DATA_DIR":          "/from/env",
		"CAIRN_DELIVERY_INTERVAL": "3s",
		"CAIRN_SYNC_ALWAYS":       "true",
	}
	cfg := DefaultConfig()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	cfg.bindFlags(fs)
	if err := applyEnv(fs, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if err := fs.Parse([]string{"--data-dir", "/from/flag"}); err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != "127.0.0.1:9999" || cfg.DataDir != "/from/flag" || cfg.DeliveryInterval != 3*time.Second || !cfg.SyncAlways {
		t.Fatalf("config = %+v", cfg)
	}
	if err := applyEnv(fs, func(k string) string {
		if k == "CAIRN_RETENTION" {
			return "soon"
		}
		return ""
	}); err == nil {
		t.Fatal("a malformed env value must be an error")
	}
}

func TestConfig_Validate(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*Config)
		ok   bool
	}{
		{"default", func(*Config) {}, true},
		{"bad listen", func(c *Config) { c.Listen = "nope" }, false},
		{"bad account", func(c *Config) { c.AccountID = "123" }, false},
		{"key without secret", func(c *Config) { c.RootAccessKeyID = "AKIAAAAAAAAAAAAAAAAA" }, false},
		{"short key", func(c *Config) { c.RootAccessKeyID, c.RootSecretAccessKey = "AK", "s" }, false},
		{"zero interval", func(c *Config) { c.DeliveryInterval = 0 }, false},
		{"bad level", func(c *Config) { c.LogLevel = "loud" }, false},
		{"tiny body cap", func(c *Config) { c.MaxBodyBytes = 10 }, false},
		{"bad debug listen", func(c *Config) { c.DebugListen = "6060" }, false},
		{"debug listen", func(c *Config) { c.DebugListen = "127.0.0.1:6060" }, true},
		{"negative gc headroom", func(c *Config) { c.GCHeadroom = -1 }, false},
		{"no gc headroom", func(c *Config) { c.GCHeadroom = 0 }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			tt.mod(&c)
			if err := c.Validate(); (err == nil) != tt.ok {
				t.Fatalf("Validate() = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestRootCredentials(t *testing.T) {
	dir := t.TempDir()
	c := DefaultConfig()
	c.DataDir = dir
	acct, key, secret, src, err := rootCredentials(&c)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, RootCredentialsFile)
	if src != path || len(acct) != 12 || len(key) != 20 || len(secret) != 40 {
		t.Fatalf("generated %q %q (secret len %d) from %q", acct, key, len(secret), src)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file: %v %v", st, err)
	}
	// A second start reuses them.
	acct2, key2, secret2, _, err := rootCredentials(&c)
	if err != nil || acct2 != acct || key2 != key || secret2 != secret {
		t.Fatalf("second start generated new credentials")
	}
	// Configured keys win; the account id is remembered across starts.
	c2 := DefaultConfig()
	c2.DataDir = t.TempDir()
	c2.RootAccessKeyID, c2.RootSecretAccessKey = "AKIACONFIGURED000001", "configured-secret"
	a1, k1, _, _, err := rootCredentials(&c2)
	if err != nil || k1 != "AKIACONFIGURED000001" {
		t.Fatalf("configured key: %v %v", k1, err)
	}
	a2, _, _, _, _ := rootCredentials(&c2)
	if a1 != a2 {
		t.Fatalf("account id changed across starts: %s then %s", a1, a2)
	}
	if _, err := os.Stat(filepath.Join(c2.DataDir, RootCredentialsFile)); !os.IsNotExist(err) {
		t.Fatal("configured secrets must not be written to disk")
	}
}
