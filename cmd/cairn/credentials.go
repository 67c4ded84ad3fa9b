package main

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/cairnhq/cairn/identity"
)

// RootCredentialsFile is the file under the data dir holding generated root
// credentials in AWS shared-credentials format.
const RootCredentialsFile = "root-credentials"

// AccountIDFile remembers a generated operator account id when the root keys come
// from the configuration.
const AccountIDFile = "account-id"

// rootCredentials resolves the operator root identity: from the configuration when
// given, else from <data-dir>/root-credentials, else generated and written there
// (mode 0600). source says where the keys came from (never the keys themselves).
func rootCredentials(c *Config) (account, key, secret, source string, err error) {
	if c.RootAccessKeyID != "" {
		account = c.AccountID
		if account == "" {
			path := filepath.Join(c.DataDir, AccountIDFile)
			b, rerr := os.ReadFile(path)
			account = strings.TrimSpace(string(b))
			if rerr != nil || !accountIDRE.MatchString(account) {
				account = identity.NewAccountID()
				if err := os.WriteFile(path, []byte(account+"\n"), 0o600); err != nil {
					return "", "", "", "", fmt.Errorf("write account id: %w", err)
				}
			}
		}
		return account, c.RootAccessKeyID, c.RootSecretAccessKey, "CAIRN_ROOT_ACCESS_KEY_ID / --root-access-key-id", nil
	}
	path := filepath.Join(c.DataDir, RootCredentialsFile)
	vals, ferr := readSharedCredentials(path)
	if ferr != nil && !errors.Is(ferr, fs.ErrNotExist) {
		return "", "", "", "", fmt.Errorf("read %s: %w", path, ferr)
	}
	account, key, secret = c.AccountID, vals["aws_access_key_id"], vals["aws_secret_access_key"]
	if account == "" {
		account = vals["aws_account_id"]
	}
	if account == "" {
		account = identity.NewAccountID()
	}
	if key == "" || secret == "" {
		key, secret = identity.NewAccessKeyID(), identity.NewSecret()
	}
	if vals["aws_account_id"] != account || vals["aws_access_key_id"] != key || vals["aws_secret_access_key"] != secret {
		if err := writeSharedCredentials(path, account, key, secret); err != nil {
			return "", "", "", "", err
		}
	}
	return account, key, secret, path, nil
}

func readSharedCredentials(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	vals := map[string]string{}
	sc := bufio.NewScanner(f)
	section := ""
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";") {
			continue
		}
		if strings.HasPrefix(line, "[") {
			section = strings.Trim(line, "[] ")
			continue
		}
		if section != "default" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if ok {
			vals[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return vals, sc.Err()
}

func writeSharedCredentials(path, account, key, secret string) error {
	body := fmt.Sprintf("# Cairn operator root credentials (account %s). Keep this file secret.\n[default]\naws_access_key_id = %s\naws_secret_access_key = %s\naws_account_id = %s\n", account, key, secret, account)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(body), 0o600); err != nil {
		return fmt.Errorf("write root credentials: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write root credentials: %w", err)
	}
	return nil
}
