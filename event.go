package cairn

import (
	"encoding/json"
	"time"
)

// EventVersion is the eventVersion Cairn writes into every record it creates.
const EventVersion = "1.11"

// Event types (the eventType field).
const (
	EventTypeAPICall        = "AwsApiCall"
	EventTypeServiceEvent   = "AwsServiceEvent"
	EventTypeConsoleAction  = "AwsConsoleAction"
	EventTypeConsoleSignIn  = "AwsConsoleSignIn"
	EventTypeInsight        = "AwsCloudTrailInsight"
	EventTypeVpceEvent      = "AwsVpceEvent"
	EventCategoryManagement = "Management"
	EventCategoryData       = "Data"
	EventCategoryInsight    = "Insight"
	EventCategoryNetwork    = "NetworkActivity"
)

// HiddenValue replaces secret values in requestParameters and responseElements.
const HiddenValue = "HIDDEN_DUE_TO_SECURITY_REASONS"

// Record is one CloudTrail event record as CloudTrail writes it (spec §7.1). The field
// order is the order AWS writes them in, so that a marshalled Record reads like AWS's.
type Record struct {
	EventVersion                 string          `json:"eventVersion"`
	UserIdentity                 UserIdentity    `json:"userIdentity"`
	EventTime                    string          `json:"eventTime"`
	EventSource                  string          `json:"eventSource"`
	EventName                    string          `json:"eventName"`
	AWSRegion                    string          `json:"awsRegion"`
	SourceIPAddress              string          `json:"sourceIPAddress"`
	UserAgent                    string          `json:"userAgent,omitempty"`
	ErrorCode                    string          `json:"errorCode,omitempty"`
	ErrorMessage                 string          `json:"errorMessage,omitempty"`
	RequestParameters            json.RawMessage `json:"requestParameters"`
	ResponseElements             json.RawMessage `json:"responseElements"`
	AdditionalEventData          json.RawMessage `json:"additionalEventData,omitempty"`
	RequestID                    string          `json:"requestID,omitempty"`
	EventID                      string          `json:"eventID"`
	ReadOnly                     *bool           `json:"readOnly,omitempty"`
	Resources                    []Resource      `json:"resources,omitempty"`
	EventType                    string          `json:"eventType"`
	APIVersion                   string          `json:"apiVersion,omitempty"`
	ManagementEvent              *bool           `json:"managementEvent,omitempty"`
	RecipientAccountID           string          `json:"recipientAccountId,omitempty"`
	SharedEventID                string          `json:"sharedEventID,omitempty"`
	EventCategory                string          `json:"eventCategory"`
	TLSDetails                   *TLSDetails     `json:"tlsDetails,omitempty"`
	SessionCredentialFromConsole string          `json:"sessionCredentialFromConsole,omitempty"`
}

// Resource is one entry of a record's resources list.
type Resource struct {
	AccountID string `json:"accountId,omitempty"`
	Type      string `json:"type,omitempty"`
	ARN       string `json:"ARN,omitempty"`
}

// TLSDetails describes the TLS connection a request arrived on.
type TLSDetails struct {
	TLSVersion               string `json:"tlsVersion"`
	CipherSuite              string `json:"cipherSuite"`
	ClientProvidedHostHeader string `json:"clientProvidedHostHeader"`
}

// UserIdentity is the userIdentity element of a record (spec §7.2).
type UserIdentity struct {
	Type           string          `json:"type"`
	PrincipalID    string          `json:"principalId,omitempty"`
	ARN            string          `json:"arn,omitempty"`
	AccountID      string          `json:"accountId,omitempty"`
	AccessKeyID    string          `json:"accessKeyId,omitempty"`
	UserName       string          `json:"userName,omitempty"`
	SessionContext *SessionContext `json:"sessionContext,omitempty"`
	InvokedBy      string          `json:"invokedBy,omitempty"`
}

// SessionContext describes temporary credentials (assumed roles, federation).
type SessionContext struct {
	SessionIssuer       *SessionIssuer     `json:"sessionIssuer,omitempty"`
	WebIDFederationData *json.RawMessage   `json:"webIdFederationData,omitempty"`
	Attributes          *SessionAttributes `json:"attributes,omitempty"`
	SourceIdentity      string             `json:"sourceIdentity,omitempty"`
}

// SessionIssuer is the principal that issued temporary credentials.
type SessionIssuer struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId,omitempty"`
	ARN         string `json:"arn,omitempty"`
	AccountID   string `json:"accountId,omitempty"`
	UserName    string `json:"userName,omitempty"`
}

// SessionAttributes carries when the session began and whether MFA was used.
type SessionAttributes struct {
	CreationDate     string `json:"creationDate"`
	MFAAuthenticated string `json:"mfaAuthenticated"`
}

// Event is a record together with the facts the event log and its sinks route and
// index by, so that no sink has to parse the record again.
type Event struct {
	Record *Record
	// Raw is the record marshalled exactly once, as it is stored and delivered.
	Raw []byte
	// Time is the record's eventTime with full precision (eventTime itself has seconds).
	Time time.Time
	// Account is the account that owns the event (recipientAccountId).
	Account string
	// Region is the region the event is recorded in (awsRegion).
	Region string
	// Lookup holds the Event history attributes (LookupEvents keys).
	Lookup LookupFields
}

// LookupFields are the values LookupEvents filters on and returns beside the record.
type LookupFields struct {
	EventID     string           `json:"i"`
	EventName   string           `json:"n"`
	EventSource string           `json:"s"`
	ReadOnly    string           `json:"r,omitempty"`
	Username    string           `json:"u,omitempty"`
	AccessKeyID string           `json:"k,omitempty"`
	Category    string           `json:"c"`
	Resources   []LookupResource `json:"res,omitempty"`
}

// LookupResource is one resource as LookupEvents reports it.
type LookupResource struct {
	Type string `json:"t,omitempty"`
	Name string `json:"n,omitempty"`
}

// FormatEventTime formats t as CloudTrail's eventTime: UTC, second precision.
func FormatEventTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05Z")
}
