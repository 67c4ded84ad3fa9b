package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// AdminCommand calls the operator API of a running server (/_cairn/admin/…),
// signed with the operator root credentials.
type AdminCommand struct {
	*Main
}

var adminActions = map[string]string{
	"create-account":    "CreateAccount",
	"create-user":       "CreateUser",
	"create-access-key": "CreateAccessKey",
	"list-users":        "ListUsers",
	"delete-user":       "DeleteUser",
	"delete-access-key": "DeleteAccessKey",
}

// Run runs one admin subcommand.
func (c *AdminCommand) Run(ctx context.Context, args []string) error {
	if len(args) == 0 || adminActions[args[0]] == "" {
		fmt.Fprint(c.Stderr, `Usage: cairn admin <command> [flags]

Commands:
  create-account    [--account-id ID]            create an account and its root access key
  create-user       --user-name NAME [--account-id ID]
  create-access-key --user-name NAME [--account-id ID]
  list-users        [--account-id ID]
  delete-user       --user-name NAME [--account-id ID]   (deletes its access keys too)
  delete-access-key --user-name NAME --access-key-id KEY [--account-id ID]

Flags common to every command: --endpoint-url (default http://127.0.0.1:4580),
--data-dir (to read <data-dir>/root-credentials); AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY, when set, are used instead.
`)
		if len(args) == 0 {
			return flag.ErrHelp
		}
		return fmt.Errorf("unknown admin command %q", args[0])
	}
	action := adminActions[args[0]]
	fs := flag.NewFlagSet("cairn admin "+args[0], flag.ContinueOnError)
	fs.SetOutput(c.Stderr)
	endpoint := fs.String("endpoint-url", "http://"+DefaultListen, "Cairn endpoint")
	dataDir := fs.String("data-dir", DefaultDataDir, "data directory holding root-credentials")
	account := fs.String("account-id", "", "account (default: the operator account)")
	user := fs.String("user-name", "", "IAM user name")
	key := fs.String("access-key-id", "", "access key id")
	if v := c.Getenv("CAIRN_ENDPOINT_URL"); v != "" {
		*endpoint = v
	}
	if v := c.Getenv("CAIRN_DATA_DIR"); v != "" {
		*dataDir = v
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	in := map[string]string{}
	for k, v := range map[string]string{"AccountId": *account, "UserName": *user, "AccessKeyId": *key} {
		if v != "" {
			in[k] = v
		}
	}
	akid, secret := c.Getenv("AWS_ACCESS_KEY_ID"), c.Getenv("AWS_SECRET_ACCESS_KEY")
	if akid == "" {
		vals, err := readSharedCredentials(filepath.Join(*dataDir, RootCredentialsFile))
		if err != nil {
			return fmt.Errorf("no credentials: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or --data-dir: %w", err)
		}
		akid, secret = vals["aws_access_key_id"], vals["aws_secret_access_key"]
	}
	out, err := adminCall(ctx, strings.TrimRight(*endpoint, "/"), action, in, aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret})
	if err != nil {
		return err
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, out, "", "  ") != nil {
		pretty.Reset()
		pretty.Write(out)
	}
	fmt.Fprintln(c.Stdout, strings.TrimSpace(pretty.String()))
	return nil
}

func adminCall(ctx context.Context, endpoint, action string, in any, creds aws.Credentials) ([]byte, error) {
	body, _ := json.Marshal(in)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint+"/_cairn/admin/"+action, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "cairn-admin/"+Version)
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "cairn", "us-east-1", time.Now()); err != nil {
		return nil, fmt.Errorf("sign request: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("call %s: %w", action, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 10<<20))
	if err != nil {
		return nil, fmt.Errorf("read response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		if json.Unmarshal(out, &e) == nil && e.Type != "" {
			return nil, fmt.Errorf("%s: %s (HTTP %d)", e.Type, e.Message, resp.StatusCode)
		}
		return nil, fmt.Errorf("%s: HTTP %d", action, resp.StatusCode)
	}
	return out, nil
}
