package cloudtrail_test

import (
	"testing"

	"github.com/cairnhq/cairn/service/cloudtrail"
)

func selS3Event(name string, readOnly bool, arn string) cloudtrail.SelectorEvent {
	return cloudtrail.SelectorEvent{
		EventCategory: "Data", EventSource: "s3.amazonaws.com", EventName: name, EventType: "AwsApiCall", ReadOnly: readOnly,
		Resources:       []cloudtrail.SelectorResource{{Type: "AWS::S3::Bucket", ARN: "arn:aws:s3:::bucket"}, {Type: "AWS::S3::Object", ARN: arn}},
		UserIdentityARN: "arn:aws:iam::123456789012:user/alice",
	}
}

func TestMatchAdvanced(t *testing.T) {
	mgmtWrite := cloudtrail.SelectorEvent{EventCategory: "Management", EventSource: "cloudtrail.amazonaws.com", EventName: "CreateTrail", EventType: "AwsApiCall"}
	mgmtRead := cloudtrail.SelectorEvent{EventCategory: "Management", EventSource: "cloudtrail.amazonaws.com", EventName: "DescribeTrails", EventType: "AwsApiCall", ReadOnly: true}
	kms := cloudtrail.SelectorEvent{EventCategory: "Management", EventSource: "kms.amazonaws.com", EventName: "Decrypt", ReadOnly: true}
	put := selS3Event("PutObject", false, "arn:aws:s3:::bucket/logs/a.txt")
	get := selS3Event("GetObject", true, "arn:aws:s3:::bucket/secret/key")
	console := put
	console.SessionCredentialFromConsole = true
	netEv := cloudtrail.SelectorEvent{EventCategory: "NetworkActivity", EventSource: "s3.amazonaws.com", EventName: "GetObject", EventType: "AwsVpceEvent",
		ErrorCode: "VpceAccessDenied", VpcEndpointID: "vpce-123", UserIdentityARN: "arn:aws:iam::123456789012:role/r"}
	kvs := cloudtrail.SelectorEvent{EventCategory: "Data", EventSource: "cloudfront-keyvaluestore.amazonaws.com", EventName: "UpdateKeys",
		Resources: []cloudtrail.SelectorResource{{Type: "AWS::CloudFront::KeyValueStore", ARN: "arn:aws:cloudfront::123456789012:key-value-store/abc"}}}

	sel := func(fs ...fieldSel) []advSel { return []advSel{{FieldSelectors: fs}} }
	s3Type := fieldSel{Field: "resources.type", Equals: []string{"AWS::S3::Object"}}

	tests := []struct {
		name string
		sels []advSel
		ev   cloudtrail.SelectorEvent
		want bool
	}{
		{"no selectors", nil, mgmtWrite, false},
		{"empty selector", []advSel{{}}, mgmtWrite, false},
		{"all management", sel(catSel("Management")), mgmtWrite, true},
		{"management vs data", sel(catSel("Management")), put, false},
		{"readOnly true matches read", sel(catSel("Management"), fieldSel{Field: "readOnly", Equals: []string{"true"}}), mgmtRead, true},
		{"readOnly true skips write", sel(catSel("Management"), fieldSel{Field: "readOnly", Equals: []string{"true"}}), mgmtWrite, false},
		{"readOnly false matches write", sel(catSel("Management"), fieldSel{Field: "readOnly", Equals: []string{"false"}}), mgmtWrite, true},
		{"eventSource NotEquals excludes kms", sel(catSel("Management"), fieldSel{Field: "eventSource", NotEquals: []string{"kms.amazonaws.com"}}), kms, false},
		{"eventSource NotEquals keeps others", sel(catSel("Management"), fieldSel{Field: "eventSource", NotEquals: []string{"kms.amazonaws.com"}}), mgmtRead, true},
		{"data type", sel(catSel("Data"), s3Type), put, true},
		{"data type other", sel(catSel("Data"), fieldSel{Field: "resources.type", Equals: []string{"AWS::Lambda::Function"}}), put, false},
		{"eventName Equals", sel(catSel("Data"), s3Type, fieldSel{Field: "eventName", Equals: []string{"GetObject", "PutObject"}}), put, true},
		{"eventName Equals miss", sel(catSel("Data"), s3Type, fieldSel{Field: "eventName", Equals: []string{"GetObject"}}), put, false},
		{"eventName StartsWith", sel(catSel("Data"), s3Type, fieldSel{Field: "eventName", StartsWith: []string{"Put"}}), put, true},
		{"eventName EndsWith", sel(catSel("Data"), s3Type, fieldSel{Field: "eventName", EndsWith: []string{"Object"}}), get, true},
		{"eventName NotStartsWith", sel(catSel("Data"), s3Type, fieldSel{Field: "eventName", NotStartsWith: []string{"Get"}}), get, false},
		{"eventName NotEndsWith", sel(catSel("Data"), s3Type, fieldSel{Field: "eventName", NotEndsWith: []string{"Tagging"}}), get, true},
		{"positive ORed across operators", sel(catSel("Data"), s3Type, fieldSel{Field: "eventName", Equals: []string{"DeleteObject"}, StartsWith: []string{"Put"}}), put, true},
		{"negative excludes despite positive", sel(catSel("Data"), s3Type, fieldSel{Field: "eventName", StartsWith: []string{"Get", "Put"}, NotEquals: []string{"GetObject"}}), get, false},
		{"negative only keeps others", sel(catSel("Data"), s3Type, fieldSel{Field: "eventName", NotEquals: []string{"GetObject"}}), put, true},
		{"case sensitive", sel(catSel("Data"), s3Type, fieldSel{Field: "eventName", Equals: []string{"putobject"}}), put, false},
		{"eventSource", sel(catSel("Data"), s3Type, fieldSel{Field: "eventSource", Equals: []string{"s3.amazonaws.com"}}), put, true},
		{"eventType", sel(catSel("Data"), s3Type, fieldSel{Field: "eventType", Equals: []string{"AwsServiceEvent"}}), put, false},
		{"resources.ARN StartsWith", sel(catSel("Data"), s3Type, fieldSel{Field: "resources.ARN", StartsWith: []string{"arn:aws:s3:::bucket/logs/"}}), put, true},
		{"resources.ARN StartsWith miss", sel(catSel("Data"), s3Type, fieldSel{Field: "resources.ARN", StartsWith: []string{"arn:aws:s3:::bucket/logs/"}}), get, false},
		{"resources.ARN Equals", sel(catSel("Data"), s3Type, fieldSel{Field: "resources.ARN", Equals: []string{"arn:aws:s3:::bucket/secret/key"}}), get, true},
		{"resources.ARN NotEquals", sel(catSel("Data"), s3Type, fieldSel{Field: "resources.ARN", NotEquals: []string{"arn:aws:s3:::bucket/secret/key"}}), get, false},
		{"resources.ARN EndsWith", sel(catSel("Data"), s3Type, fieldSel{Field: "resources.ARN", EndsWith: []string{".txt"}}), put, true},
		{"resources.ARN NotStartsWith", sel(catSel("Data"), s3Type, fieldSel{Field: "resources.ARN", NotStartsWith: []string{"arn:aws:s3:::bucket/secret"}}), get, false},
		{"resources.ARN NotEndsWith", sel(catSel("Data"), s3Type, fieldSel{Field: "resources.ARN", NotEndsWith: []string{".txt"}}), get, true},
		// Resource conditions hold on one resource: the bucket resource's ARN does not
		// make the object selector match.
		{"resource conditions on one resource", sel(catSel("Data"), s3Type, fieldSel{Field: "resources.ARN", Equals: []string{"arn:aws:s3:::bucket"}}), put, false},
		{"resource conditions bucket type", sel(catSel("Data"), fieldSel{Field: "resources.type", Equals: []string{"AWS::S3::Bucket"}}, fieldSel{Field: "resources.ARN", Equals: []string{"arn:aws:s3:::bucket"}}), put, true},
		{"userIdentity.arn", sel(catSel("Data"), s3Type, fieldSel{Field: "userIdentity.arn", EndsWith: []string{"user/alice"}}), put, true},
		{"userIdentity.arn NotStartsWith", sel(catSel("Data"), s3Type, fieldSel{Field: "userIdentity.arn", NotStartsWith: []string{"arn:aws:iam::123456789012:user/"}}), put, false},
		{"sessionCredentialFromConsole true", sel(catSel("Data"), s3Type, fieldSel{Field: "sessionCredentialFromConsole", Equals: []string{"true"}}), console, true},
		{"sessionCredentialFromConsole NotEquals", sel(catSel("Data"), s3Type, fieldSel{Field: "sessionCredentialFromConsole", NotEquals: []string{"true"}}), console, false},
		{"sessionCredentialFromConsole false", sel(catSel("Data"), s3Type, fieldSel{Field: "sessionCredentialFromConsole", Equals: []string{"false"}}), put, true},
		{"network", sel(catSel("NetworkActivity"), fieldSel{Field: "eventSource", Equals: []string{"s3.amazonaws.com"}}), netEv, true},
		{"network other source", sel(catSel("NetworkActivity"), fieldSel{Field: "eventSource", Equals: []string{"kms.amazonaws.com"}}), netEv, false},
		{"network errorCode", sel(catSel("NetworkActivity"), fieldSel{Field: "eventSource", Equals: []string{"s3.amazonaws.com"}}, fieldSel{Field: "errorCode", Equals: []string{"VpceAccessDenied"}}), netEv, true},
		{"network errorCode on success", sel(catSel("NetworkActivity"), fieldSel{Field: "errorCode", Equals: []string{"VpceAccessDenied"}}), cloudtrail.SelectorEvent{EventCategory: "NetworkActivity"}, false},
		{"network vpcEndpointId", sel(catSel("NetworkActivity"), fieldSel{Field: "vpcEndpointId", NotEquals: []string{"vpce-123"}}), netEv, false},
		{"network vpcEndpointId match", sel(catSel("NetworkActivity"), fieldSel{Field: "vpcEndpointId", StartsWith: []string{"vpce-"}}), netEv, true},
		{"network eventName", sel(catSel("NetworkActivity"), fieldSel{Field: "eventName", Equals: []string{"GetObject"}}), netEv, true},
		{"network userIdentity", sel(catSel("NetworkActivity"), fieldSel{Field: "userIdentity.arn", Equals: []string{"arn:aws:iam::123456789012:role/r"}}), netEv, true},
		{"kvs data", sel(catSel("Data"), fieldSel{Field: "resources.type", Equals: []string{"AWS::CloudFront::KeyValueStore"}}), kvs, true},
		{"unknown field never matches", sel(catSel("Management"), fieldSel{Field: "awsRegion", Equals: []string{"us-east-1"}}), mgmtWrite, false},
		{"resource field without resources", sel(catSel("Data"), s3Type), cloudtrail.SelectorEvent{EventCategory: "Data"}, false},
		{"negative resource field without resources", sel(catSel("Data"), fieldSel{Field: "resources.ARN", NotStartsWith: []string{"arn:"}}), cloudtrail.SelectorEvent{EventCategory: "Data"}, true},
		{"OR across selectors", []advSel{{FieldSelectors: []fieldSel{catSel("Data"), s3Type}}, {FieldSelectors: []fieldSel{catSel("Management")}}}, mgmtRead, true},
		{"AND within selector", sel(catSel("Data"), s3Type, fieldSel{Field: "eventName", Equals: []string{"PutObject"}}, fieldSel{Field: "readOnly", Equals: []string{"true"}}), put, false},
		{"insight never matched by management", sel(catSel("Management")), cloudtrail.SelectorEvent{EventCategory: "Insight"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cloudtrail.MatchAdvanced(tt.sels, tt.ev); got != tt.want {
				t.Fatalf("MatchAdvanced = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestMatchBasic(t *testing.T) {
	f := false
	mgmtWrite := cloudtrail.SelectorEvent{EventCategory: "Management", EventSource: "cloudtrail.amazonaws.com", EventName: "CreateTrail"}
	mgmtRead := cloudtrail.SelectorEvent{EventCategory: "Management", EventSource: "cloudtrail.amazonaws.com", EventName: "DescribeTrails", ReadOnly: true}
	kms := cloudtrail.SelectorEvent{EventCategory: "Management", EventSource: "kms.amazonaws.com", EventName: "Decrypt", ReadOnly: true}
	rds := cloudtrail.SelectorEvent{EventCategory: "Management", EventSource: "rdsdata.amazonaws.com", EventName: "ExecuteStatement"}
	put := selS3Event("PutObject", false, "arn:aws:s3:::bucket/logs/a.txt")
	get := selS3Event("GetObject", true, "arn:aws:s3:::bucket/secret/key")
	tOther := selS3Event("GetObject", true, "arn:aws:s3:::bucket2/x")
	lambda := func(arn string) cloudtrail.SelectorEvent {
		return cloudtrail.SelectorEvent{EventCategory: "Data", EventSource: "lambda.amazonaws.com", EventName: "Invoke",
			Resources: []cloudtrail.SelectorResource{{Type: "AWS::Lambda::Function", ARN: arn}}}
	}
	ddb := cloudtrail.SelectorEvent{EventCategory: "Data", EventSource: "dynamodb.amazonaws.com", EventName: "GetItem", ReadOnly: true,
		Resources: []cloudtrail.SelectorResource{{Type: "AWS::DynamoDB::Table", ARN: "arn:aws:dynamodb:us-east-1:123456789012:table/Music"}}}
	kvs := cloudtrail.SelectorEvent{EventCategory: "Data", EventSource: "cloudfront-keyvaluestore.amazonaws.com", EventName: "UpdateKeys",
		Resources: []cloudtrail.SelectorResource{{Type: "AWS::CloudFront::KeyValueStore", ARN: "arn:aws:cloudfront::123456789012:key-value-store/abc"}}}
	netEv := cloudtrail.SelectorEvent{EventCategory: "NetworkActivity", EventSource: "s3.amazonaws.com"}

	es := func(rw string, inc *bool, excl []string, drs ...cloudtrail.DataResource) []cloudtrail.EventSelector {
		return []cloudtrail.EventSelector{{ReadWriteType: rw, IncludeManagementEvents: inc, ExcludeManagementEventSources: excl, DataResources: drs}}
	}
	dr := func(typ string, vals ...string) cloudtrail.DataResource {
		return cloudtrail.DataResource{Type: typ, Values: vals}
	}
	fn := "arn:aws:lambda:us-west-2:111111111111:function:helloworld"

	tests := []struct {
		name string
		sels []cloudtrail.EventSelector
		ev   cloudtrail.SelectorEvent
		want bool
	}{
		{"default selector write", cloudtrail.DefaultEventSelectors(), mgmtWrite, true},
		{"default selector read", cloudtrail.DefaultEventSelectors(), mgmtRead, true},
		{"default selector no data", cloudtrail.DefaultEventSelectors(), put, false},
		{"zero-value selector defaults", es("", nil, nil), mgmtRead, true},
		{"no selectors", nil, mgmtWrite, false},
		{"ReadOnly read", es("ReadOnly", nil, nil), mgmtRead, true},
		{"ReadOnly write", es("ReadOnly", nil, nil), mgmtWrite, false},
		{"WriteOnly write", es("WriteOnly", nil, nil), mgmtWrite, true},
		{"WriteOnly read", es("WriteOnly", nil, nil), mgmtRead, false},
		{"management off", es("All", &f, nil), mgmtWrite, false},
		{"exclude kms", es("All", nil, []string{"kms.amazonaws.com"}), kms, false},
		{"exclude kms keeps rds", es("All", nil, []string{"kms.amazonaws.com"}), rds, true},
		{"exclude rds", es("All", nil, []string{"rdsdata.amazonaws.com"}), rds, false},
		{"s3 all", es("All", &f, nil, dr("AWS::S3::Object", "arn:aws:s3")), put, true},
		{"s3 bucket", es("All", &f, nil, dr("AWS::S3::Object", "arn:aws:s3:::bucket/")), get, true},
		{"s3 bucket other", es("All", &f, nil, dr("AWS::S3::Object", "arn:aws:s3:::bucket/")), tOther, false},
		{"s3 prefix", es("All", &f, nil, dr("AWS::S3::Object", "arn:aws:s3:::bucket/logs")), put, true},
		{"s3 prefix miss", es("All", &f, nil, dr("AWS::S3::Object", "arn:aws:s3:::bucket/logs")), get, false},
		{"s3 read only skips write", es("ReadOnly", &f, nil, dr("AWS::S3::Object", "arn:aws:s3")), put, false},
		{"s3 write only skips read", es("WriteOnly", &f, nil, dr("AWS::S3::Object", "arn:aws:s3")), get, false},
		{"data resources do not select management", es("All", &f, nil, dr("AWS::S3::Object", "arn:aws:s3")), mgmtWrite, false},
		{"exclusions do not apply to data", es("All", nil, []string{"kms.amazonaws.com"}, dr("AWS::S3::Object", "arn:aws:s3")), put, true},
		{"lambda all", es("All", nil, nil, dr("AWS::Lambda::Function", "arn:aws:lambda")), lambda(fn), true},
		{"lambda exact", es("All", nil, nil, dr("AWS::Lambda::Function", fn)), lambda(fn), true},
		{"lambda no prefix match", es("All", nil, nil, dr("AWS::Lambda::Function", fn)), lambda(fn + "2"), false},
		{"dynamodb all", es("All", nil, nil, dr("AWS::DynamoDB::Table", "arn:aws:dynamodb")), ddb, true},
		{"dynamodb exact", es("All", nil, nil, dr("AWS::DynamoDB::Table", "arn:aws:dynamodb:us-east-1:123456789012:table/Music")), ddb, true},
		{"dynamodb other table", es("All", nil, nil, dr("AWS::DynamoDB::Table", "arn:aws:dynamodb:us-east-1:123456789012:table/Musi")), ddb, false},
		{"kvs all", es("All", nil, nil, dr("AWS::CloudFront::KeyValueStore", "arn:aws:cloudfront")), kvs, true},
		{"kvs exact", es("All", nil, nil, dr("AWS::CloudFront::KeyValueStore", "arn:aws:cloudfront::123456789012:key-value-store/abc")), kvs, true},
		{"kvs other", es("All", nil, nil, dr("AWS::CloudFront::KeyValueStore", "arn:aws:cloudfront::123456789012:key-value-store/abd")), kvs, false},
		{"type must match", es("All", nil, nil, dr("AWS::Lambda::Function", "arn:aws:lambda")), put, false},
		{"network never", cloudtrail.DefaultEventSelectors(), netEv, false},
		{"OR across selectors", append(es("ReadOnly", &f, nil, dr("AWS::S3::Object", "arn:aws:s3")), es("WriteOnly", nil, nil)...), mgmtWrite, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cloudtrail.MatchBasic(tt.sels, tt.ev); got != tt.want {
				t.Fatalf("MatchBasic = %v, want %v", got, tt.want)
			}
		})
	}
}
