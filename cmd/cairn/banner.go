package main

import (
	"fmt"
	"io"
	"path/filepath"
)

// PrintBanner tells the operator where Cairn listens and how to point the AWS CLI
// at it. It never prints a secret: it names the credentials file instead.
func (s *Server) PrintBanner(w io.Writer) {
	url := "http://" + s.Addr
	fmt.Fprintf(w, "Cairn %s listening on %s\n", Version, url)
	if s.TLSAddr != "" {
		fmt.Fprintf(w, "  https:             https://%s (certificate %s)\n", s.TLSAddr, s.tlsSrc)
	}
	fmt.Fprintf(w, "  data dir:          %s\n", s.Config.DataDir)
	fmt.Fprintf(w, "  operator account:  %s\n", s.Account)
	fmt.Fprintf(w, "  root credentials:  %s\n", s.credSrc)
	fmt.Fprintf(w, "  trail buckets:     %s\n", s.storeSrc)
	fmt.Fprintf(w, "\nUse it with the AWS CLI:\n")
	if s.Config.RootAccessKeyID == "" {
		fmt.Fprintf(w, "  export AWS_SHARED_CREDENTIALS_FILE=%s\n", filepath.Join(s.Config.DataDir, RootCredentialsFile))
	}
	fmt.Fprintf(w, "  export AWS_DEFAULT_REGION=%s\n", s.Config.DefaultRegion)
	fmt.Fprintf(w, "  aws --endpoint-url %s cloudtrail lookup-events --max-results 5\n", url)
	fmt.Fprintf(w, "  aws --endpoint-url %s sts get-caller-identity\n", url)
}
