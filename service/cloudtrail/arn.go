package cloudtrail

import (
	"regexp"
	"strings"
)

// Partition is the only ARN partition Cairn serves.
const Partition = "aws"

var (
	regionRE  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d{1,2}$`)
	accountRE = regexp.MustCompile(`^\d{12}$`)
	ipv4RE    = regexp.MustCompile(`^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$`)
)

// TrailARN returns the ARN of a trail: arn:aws:cloudtrail:<homeRegion>:<account>:trail/<name>.
func TrailARN(homeRegion, account, name string) string {
	return "arn:" + Partition + ":cloudtrail:" + homeRegion + ":" + account + ":trail/" + name
}

// ARN is a parsed ARN of the form arn:<partition>:<service>:<region>:<account>:<resource>,
// where resource is "<type>/<id>" (or just an id).
type ARN struct {
	Partition    string
	Service      string
	Region       string
	Account      string
	Resource     string // everything after the account field
	ResourceType string // Resource up to its first '/', or "" when it has none
	ResourceID   string // Resource after its first '/', or all of it
}

// ParseARN splits an ARN into its parts. It reports false when s has fewer than six
// colon-separated fields or does not start with "arn:". It checks no field's content.
func ParseARN(s string) (ARN, bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return ARN{}, false
	}
	a := ARN{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4]}
	res := parts[5]
	a.Resource = res
	if i := strings.IndexByte(res, '/'); i >= 0 {
		a.ResourceType, a.ResourceID = res[:i], res[i+1:]
	} else {
		a.ResourceID = res
	}
	return a, true
}

// IsARN reports whether s is meant as an ARN (starts with "arn:"), valid or not.
func IsARN(s string) bool { return strings.HasPrefix(s, "arn:") }

// ValidateTrailName checks the trail naming rules of CreateTrail: 3–128 characters,
// ASCII letters, digits, '.', '_' and '-', starting and ending with a letter or digit,
// no two adjacent '.', '_' or '-', and not in IP address format. It returns an
// InvalidTrailNameException.
func ValidateTrailName(name string) error {
	switch {
	case len(name) < 3:
		return ctError(CodeInvalidTrailName, "Trail name too short. Minimum allowed length: 3 characters. Specified name length: %d characters.", len(name))
	case len(name) > 128:
		return ctError(CodeInvalidTrailName, "Trail name too long. Maximum allowed length: 128 characters. Specified name length: %d characters.", len(name))
	}
	for i := 0; i < len(name); i++ {
		if !isNameChar(name[i]) {
			return ctError(CodeInvalidTrailName, "Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_).")
		}
	}
	if !isAlnum(name[0]) {
		return ctError(CodeInvalidTrailName, "Trail name must starts with a letter or number.")
	}
	if !isAlnum(name[len(name)-1]) {
		return ctError(CodeInvalidTrailName, "Trail name must ends with a letter or number.")
	}
	for i := 1; i < len(name); i++ {
		if !isAlnum(name[i]) && !isAlnum(name[i-1]) {
			return ctError(CodeInvalidTrailName, "Trail name cannot contain adjacent periods (.), hyphens (-), or underscores (_); %q is not valid.", name)
		}
	}
	if ipv4RE.MatchString(name) {
		return ctError(CodeInvalidTrailName, "Trail name cannot be in IP address format (%s).", name)
	}
	return nil
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isNameChar(c byte) bool { return isAlnum(c) || c == '.' || c == '_' || c == '-' }

// trailRef is a trail named by the caller: a plain name (resolved in the caller's region)
// or a full trail ARN.
type trailRef struct {
	Raw     string
	Name    string
	Region  string // from the ARN; empty for a plain name
	Account string // from the ARN; empty for a plain name
	IsARN   bool
}

// parseTrailRef validates a trail name or trail ARN as every operation but CreateTrail
// accepts it.
func parseTrailRef(s string) (trailRef, error) {
	if !IsARN(s) {
		if err := ValidateTrailName(s); err != nil {
			return trailRef{}, err
		}
		return trailRef{Raw: s, Name: s}, nil
	}
	a, ok := ParseARN(s)
	if !ok || a.Partition != Partition || a.Service != "cloudtrail" || !regionRE.MatchString(a.Region) ||
		!accountRE.MatchString(a.Account) || a.ResourceType != "trail" || ValidateTrailName(a.ResourceID) != nil {
		return trailRef{}, ctError(CodeCloudTrailARNInvalid, "Invalid trail ARN: %s. A trail ARN has the form arn:aws:cloudtrail:<region>:<account-id>:trail/<trail-name>.", s)
	}
	return trailRef{Raw: s, Name: a.ResourceID, Region: a.Region, Account: a.Account, IsARN: true}, nil
}

// display is how the ref appears in TrailNotFoundException messages: AWS prints the
// trail ARN, building it from the caller's region when a plain name was given.
func (r trailRef) display(account, region string) string {
	if r.IsARN {
		return r.Raw
	}
	return TrailARN(region, account, r.Name)
}
