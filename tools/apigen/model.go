package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// Model is the part of a botocore service-2 model the generator reads.
type Model struct {
	Metadata   Metadata              `json:"metadata"`
	Operations map[string]*Operation `json:"operations"`
	Shapes     map[string]*Shape     `json:"shapes"`

	file string // models/<name>.json, for the generated header
}

// Metadata is the model's service description.
type Metadata struct {
	APIVersion     string `json:"apiVersion"`
	EndpointPrefix string `json:"endpointPrefix"`
	JSONVersion    string `json:"jsonVersion"`
	Protocol       string `json:"protocol"`
	ServiceID      string `json:"serviceId"`
	SigningName    string `json:"signingName"`
	TargetPrefix   string `json:"targetPrefix"`
	XMLNamespace   string `json:"xmlNamespace"`
	UID            string `json:"uid"`
}

// Operation is one API operation.
type Operation struct {
	Name string `json:"name"`
	HTTP struct {
		Method       string `json:"method"`
		RequestURI   string `json:"requestUri"`
		ResponseCode int    `json:"responseCode"`
	} `json:"http"`
	Input  *Ref  `json:"input"`
	Output *Ref  `json:"output"`
	Errors []Ref `json:"errors"`
}

// Ref is a reference to a shape: an operation's input or output, a structure member,
// a list's member or a map's key or value. Serialization traits live here.
type Ref struct {
	Shape         string `json:"shape"`
	Location      string `json:"location"`     // header, headers, querystring, uri, statusCode
	LocationName  string `json:"locationName"` // wire name
	JSONName      string `json:"jsonName"`
	QueryName     string `json:"queryName"`
	Flattened     bool   `json:"flattened"`
	XMLAttribute  bool   `json:"xmlAttribute"`
	XMLNamespace  any    `json:"xmlNamespace"`
	ResultWrapper string `json:"resultWrapper"`
	Sensitive     bool   `json:"sensitive"`
	Deprecated    bool   `json:"deprecated"`
	Streaming     bool   `json:"streaming"`
	// TimestampFormat overrides a timestamp's wire format (iso8601, rfc822,
	// unixTimestamp).
	TimestampFormat string `json:"timestampFormat"`
}

// Shape is a named type of the model.
type Shape struct {
	Type      string          `json:"type"`
	Members   map[string]*Ref `json:"members"`
	Required  []string        `json:"required"`
	Member    *Ref            `json:"member"`
	Key       *Ref            `json:"key"`
	Value     *Ref            `json:"value"`
	Min       *json.Number    `json:"min"`
	Max       *json.Number    `json:"max"`
	Pattern   string          `json:"pattern"`
	Enum      []string        `json:"enum"`
	Sensitive bool            `json:"sensitive"`
	Flattened bool            `json:"flattened"`
	Union     bool            `json:"union"`
	// TimestampFormat is the default wire format of a timestamp shape.
	TimestampFormat string `json:"timestampFormat"`
	Payload         string `json:"payload"`
	Streaming       bool   `json:"streaming"`
	Exception       bool   `json:"exception"`
	Fault           bool   `json:"fault"`
	Error           *struct {
		Code           string `json:"code"`
		HTTPStatusCode int    `json:"httpStatusCode"`
		SenderFault    bool   `json:"senderFault"`
	} `json:"error"`
}

// memberNames returns the structure's member names, sorted.
func (s *Shape) memberNames() []string {
	names := make([]string, 0, len(s.Members))
	for n := range s.Members {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (s *Shape) isRequired(member string) bool {
	for _, r := range s.Required {
		if r == member {
			return true
		}
	}
	return false
}

// loadModel reads models/<service>-<version>.service-2.json; with several versions the
// newest (last in lexical order) wins.
func loadModel(modelsDir, service string) (*Model, error) {
	matches, err := filepath.Glob(filepath.Join(modelsDir, service+"-[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9].service-2.json"))
	if err != nil {
		return nil, err
	}
	if len(matches) == 0 {
		return nil, fmt.Errorf("no model for %s in %s", service, modelsDir)
	}
	sort.Strings(matches)
	path := matches[len(matches)-1]
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m Model
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	m.file = "models/" + filepath.Base(path)
	for name, op := range m.Operations {
		if op.Name == "" {
			op.Name = name
		}
		for _, ref := range []*Ref{op.Input, op.Output} {
			if ref != nil && m.Shapes[ref.Shape] == nil {
				return nil, fmt.Errorf("%s: operation %s refers to unknown shape %s", path, name, ref.Shape)
			}
		}
	}
	for name, s := range m.Shapes {
		refs := []*Ref{s.Member, s.Key, s.Value}
		for _, r := range s.Members {
			refs = append(refs, r)
		}
		for _, r := range refs {
			if r != nil && m.Shapes[r.Shape] == nil {
				return nil, fmt.Errorf("%s: shape %s refers to unknown shape %s", path, name, r.Shape)
			}
		}
	}
	return &m, nil
}

// operationNames returns the operation names, sorted.
func (m *Model) operationNames() []string {
	names := make([]string, 0, len(m.Operations))
	for n := range m.Operations {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// signingName is the SigV4 service name: signingName, else endpointPrefix.
func (m *Model) signingName() string {
	if m.Metadata.SigningName != "" {
		return m.Metadata.SigningName
	}
	return m.Metadata.EndpointPrefix
}
