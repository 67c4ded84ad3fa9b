package cloudfront

import (
	"context"
	"reflect"
	"regexp"
	"strings"

	"github.com/cairnhq/cairn/api/cloudfront"
)

// CloudFront's fixed limits (default quotas) that the Provider enforces.
const (
	MaxOriginsPerDistribution        = 25
	MaxOriginGroupsPerDistribution   = 10
	MaxCacheBehaviorsPerDistribution = 25
	MaxCNAMEsPerDistribution         = 100
	MaxCommentLength                 = 128
)

// ttl defaults of the legacy cache settings (ForwardedValues), as AWS fills them.
const (
	defaultMinTTL     = 0
	defaultDefaultTTL = 86400
	defaultMaxTTL     = 31536000
)

func errInconsistentQuantities() error {
	return cloudfront.NewInconsistentQuantities("The value of Quantity and the size of Items don't match.")
}

// checkQuantities walks v and fails when a list wrapper's Quantity differs from the
// number of its Items (CloudFront's InconsistentQuantities), in any nested shape.
func checkQuantities(v reflect.Value) error {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Struct:
		q, items := v.FieldByName("Quantity"), v.FieldByName("Items")
		if q.IsValid() && items.IsValid() && items.Kind() == reflect.Slice && q.Kind() == reflect.Pointer && !q.IsNil() {
			if q.Elem().Int() != int64(items.Len()) {
				return errInconsistentQuantities()
			}
		}
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			switch f.Kind() {
			case reflect.Pointer, reflect.Struct, reflect.Slice:
				if err := checkQuantities(f); err != nil {
					return err
				}
			}
		}
	case reflect.Slice:
		if k := v.Type().Elem().Kind(); k != reflect.Struct && k != reflect.Pointer {
			return nil
		}
		for i := 0; i < v.Len(); i++ {
			if err := checkQuantities(v.Index(i)); err != nil {
				return err
			}
		}
	}
	return nil
}

var cnameLabel = regexp.MustCompile(`^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$`)

// validCNAME reports whether s is an alternate domain name CloudFront accepts: a DNS
// name of at least two labels, optionally starting with a "*." wildcard label.
// Underscores are accepted, as AWS does.
func validCNAME(s string) bool {
	if len(s) == 0 || len(s) > 253 {
		return false
	}
	s = strings.TrimPrefix(s, "*.")
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if !cnameLabel.MatchString(l) {
			return false
		}
	}
	return true
}

var acmARN = regexp.MustCompile(`^arn:aws(-cn)?:acm:([a-z0-9-]+):[0-9]{12}:certificate/[A-Za-z0-9-]+$`)

var locationCode = regexp.MustCompile(`^[A-Z]{2}$`)

var validErrorCodes = map[int32]bool{400: true, 403: true, 404: true, 405: true, 414: true, 416: true, 500: true, 501: true, 502: true, 503: true, 504: true}

// normalizeConfig validates a distribution configuration (already past the model's
// constraints) for account and fills the defaults AWS fills, in place. oacExists
// reports whether an origin access control id exists in the account.
func normalizeConfig(ctx context.Context, cfg *cloudfront.DistributionConfig, oacExists func(ctx context.Context, id string) (bool, error)) error {
	if err := checkQuantities(reflect.ValueOf(cfg)); err != nil {
		return err
	}
	if deref(cfg.CallerReference) == "" {
		return cloudfront.NewInvalidArgument("The parameter CallerReference must be specified and non-empty.")
	}
	if len([]rune(deref(cfg.Comment))) > MaxCommentLength {
		return cloudfront.NewInvalidArgument("The parameter Comment is too long. It must be at most %d characters.", MaxCommentLength)
	}

	// Origins.
	if cfg.Origins == nil || len(cfg.Origins.Items) == 0 {
		return cloudfront.NewInvalidArgument("The parameter Origins must contain at least one origin.")
	}
	if len(cfg.Origins.Items) > MaxOriginsPerDistribution {
		return cloudfront.NewTooManyOrigins("You cannot create more origins for the distribution: the maximum is %d.", MaxOriginsPerDistribution)
	}
	targets := map[string]bool{}
	for i := range cfg.Origins.Items {
		o := &cfg.Origins.Items[i]
		id := deref(o.Id)
		if id == "" {
			return cloudfront.NewInvalidArgument("The parameter origin Id cannot be null or empty.")
		}
		if targets[id] {
			return cloudfront.NewInvalidArgument("The parameter origin Id must be unique: %s is used by more than one origin.", id)
		}
		targets[id] = true
		if err := normalizeOrigin(ctx, o, oacExists); err != nil {
			return err
		}
	}
	if cfg.OriginGroups == nil {
		cfg.OriginGroups = &cloudfront.OriginGroups{Quantity: ptr(int32(0))}
	}
	if len(cfg.OriginGroups.Items) > MaxOriginGroupsPerDistribution {
		return cloudfront.NewTooManyOriginGroupsPerDistribution("You cannot create more origin groups for the distribution: the maximum is %d.", MaxOriginGroupsPerDistribution)
	}
	for _, g := range cfg.OriginGroups.Items {
		id := deref(g.Id)
		if id == "" || targets[id] {
			return cloudfront.NewInvalidArgument("The parameter origin group Id must be non-empty and unique among origins and origin groups: %s", id)
		}
		if g.Members == nil || len(g.Members.Items) != 2 {
			return cloudfront.NewInvalidArgument("An origin group must have exactly two members.")
		}
		for _, m := range g.Members.Items {
			if !targets[deref(m.OriginId)] || deref(m.OriginId) == id {
				return cloudfront.NewNoSuchOrigin("One or more of your origins or origin groups do not exist.")
			}
		}
		targets[id] = true
	}

	// Cache behaviors.
	if cfg.DefaultCacheBehavior == nil {
		return errMalformedXML("1 validation error detected: Value null at 'distributionConfig.defaultCacheBehavior' failed to satisfy constraint: Member must not be null")
	}
	def := defaultAsBehavior(cfg.DefaultCacheBehavior)
	if err := normalizeBehavior(&def, targets); err != nil {
		return err
	}
	*cfg.DefaultCacheBehavior = behaviorAsDefault(&def)
	if cfg.CacheBehaviors == nil {
		cfg.CacheBehaviors = &cloudfront.CacheBehaviors{Quantity: ptr(int32(0))}
	}
	if len(cfg.CacheBehaviors.Items) > MaxCacheBehaviorsPerDistribution {
		return cloudfront.NewTooManyCacheBehaviors("Your request contains more cache behaviors than are allowed per distribution (%d).", MaxCacheBehaviorsPerDistribution)
	}
	patterns := map[string]bool{}
	for i := range cfg.CacheBehaviors.Items {
		b := &cfg.CacheBehaviors.Items[i]
		pp := deref(b.PathPattern)
		if pp == "" {
			return cloudfront.NewInvalidArgument("The parameter PathPattern cannot be null or empty.")
		}
		if patterns[pp] {
			return cloudfront.NewInvalidArgument("The parameter PathPattern must be unique: %s is used by more than one cache behavior.", pp)
		}
		patterns[pp] = true
		if err := normalizeBehavior(b, targets); err != nil {
			return err
		}
	}

	// Alternate domain names and the certificate.
	if cfg.Aliases == nil {
		cfg.Aliases = &cloudfront.Aliases{Quantity: ptr(int32(0))}
	}
	if len(cfg.Aliases.Items) > MaxCNAMEsPerDistribution {
		return cloudfront.NewTooManyDistributionCNAMEs("Your request contains more CNAMEs than are allowed per distribution (%d).", MaxCNAMEsPerDistribution)
	}
	seen := map[string]bool{}
	for _, a := range cfg.Aliases.Items {
		if !validCNAME(a) {
			return cloudfront.NewInvalidArgument("The parameter CNAME contains one or more characters that are not valid: %s", a)
		}
		if seen[strings.ToLower(a)] {
			return cloudfront.NewInvalidArgument("The parameter Aliases contains a duplicate CNAME: %s", a)
		}
		seen[strings.ToLower(a)] = true
	}
	if err := normalizeViewerCertificate(cfg); err != nil {
		return err
	}

	// Other settings.
	if r := deref(cfg.DefaultRootObject); strings.HasPrefix(r, "/") || len(r) > 255 {
		return cloudfront.NewInvalidDefaultRootObject("The specified default root object is invalid: it must not begin with a slash and must be at most 255 characters.")
	}
	if cfg.DefaultRootObject == nil {
		cfg.DefaultRootObject = ptr("")
	}
	if cfg.CustomErrorResponses == nil {
		cfg.CustomErrorResponses = &cloudfront.CustomErrorResponses{Quantity: ptr(int32(0))}
	}
	for _, r := range cfg.CustomErrorResponses.Items {
		if !validErrorCodes[deref(r.ErrorCode)] {
			return cloudfront.NewInvalidErrorCode("The specified error code is not valid for a custom error response: %d", deref(r.ErrorCode))
		}
		if p := deref(r.ResponsePagePath); p != "" && !strings.HasPrefix(p, "/") {
			return cloudfront.NewInvalidRelativePath("The relative path is too big, is not URL-encoded, or does not begin with a slash (/).")
		}
		if (deref(r.ResponsePagePath) == "") != (deref(r.ResponseCode) == "") {
			return cloudfront.NewInvalidResponseCode("A ResponseCode must be specified together with a ResponsePagePath, and a ResponsePagePath with a ResponseCode.")
		}
	}
	if cfg.Restrictions == nil {
		cfg.Restrictions = &cloudfront.Restrictions{}
	}
	if cfg.Restrictions.GeoRestriction == nil {
		cfg.Restrictions.GeoRestriction = &cloudfront.GeoRestriction{RestrictionType: cloudfront.GeoRestrictionTypeNone, Quantity: ptr(int32(0))}
	}
	geo := cfg.Restrictions.GeoRestriction
	if (geo.RestrictionType == cloudfront.GeoRestrictionTypeNone) != (len(geo.Items) == 0) {
		return cloudfront.NewInvalidGeoRestrictionParameter("The specified geo restriction parameter is not valid: a restriction type of none takes no locations, whitelist and blacklist at least one.")
	}
	for _, l := range geo.Items {
		if !locationCode.MatchString(l) {
			return cloudfront.NewInvalidLocationCode("The location code specified is not valid: %s", l)
		}
	}
	if cfg.Logging == nil {
		cfg.Logging = &cloudfront.LoggingConfig{}
	}
	lg := cfg.Logging
	lg.Enabled, lg.IncludeCookies = ptr(deref(lg.Enabled)), ptr(deref(lg.IncludeCookies))
	lg.Bucket, lg.Prefix = ptr(deref(lg.Bucket)), ptr(deref(lg.Prefix))
	if *lg.Enabled && !strings.HasSuffix(*lg.Bucket, ".s3.amazonaws.com") {
		return cloudfront.NewInvalidArgument("The parameter Logging Bucket must be the domain name of an Amazon S3 bucket (bucket-name.s3.amazonaws.com): %s", *lg.Bucket)
	}
	if cfg.PriceClass == "" {
		cfg.PriceClass = cloudfront.PriceClassPriceClassAll
	}
	if cfg.HttpVersion == "" {
		cfg.HttpVersion = cloudfront.HttpVersionHttp2
	}
	if cfg.IsIPV6Enabled == nil {
		cfg.IsIPV6Enabled = ptr(false)
	}
	if cfg.WebACLId == nil {
		cfg.WebACLId = ptr("")
	}
	if cfg.Staging == nil {
		cfg.Staging = ptr(false)
	}
	if cfg.ContinuousDeploymentPolicyId == nil {
		cfg.ContinuousDeploymentPolicyId = ptr("")
	}
	if *cfg.ContinuousDeploymentPolicyId != "" {
		return cloudfront.NewNoSuchContinuousDeploymentPolicy("The continuous deployment policy does not exist: %s", *cfg.ContinuousDeploymentPolicyId)
	}
	if *cfg.Staging {
		return cloudfront.NewInvalidArgument("Staging distributions are created with CopyDistribution, which Cairn does not support.")
	}
	return nil
}

func normalizeOrigin(ctx context.Context, o *cloudfront.Origin, oacExists func(ctx context.Context, id string) (bool, error)) error {
	if deref(o.DomainName) == "" {
		return cloudfront.NewInvalidArgument("The parameter origin name cannot be null or empty.")
	}
	n := 0
	for _, set := range []bool{o.S3OriginConfig != nil, o.CustomOriginConfig != nil, o.VpcOriginConfig != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return cloudfront.NewInvalidOrigin("The specified origin server does not exist or is not valid.")
	}
	if p := deref(o.OriginPath); p != "" && (!strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/")) {
		return cloudfront.NewInvalidArgument("The parameter origin path must begin with a slash (/) and must not end with one.")
	}
	if o.OriginPath == nil {
		o.OriginPath = ptr("")
	}
	if o.CustomHeaders == nil {
		o.CustomHeaders = &cloudfront.CustomHeaders{Quantity: ptr(int32(0))}
	}
	if o.ConnectionAttempts == nil {
		o.ConnectionAttempts = ptr(int32(3))
	}
	if a := *o.ConnectionAttempts; a < 1 || a > 3 {
		return cloudfront.NewInvalidArgument("The parameter ConnectionAttempts must be between 1 and 3.")
	}
	if o.ConnectionTimeout == nil {
		o.ConnectionTimeout = ptr(int32(10))
	}
	if t := *o.ConnectionTimeout; t < 1 || t > 10 {
		return cloudfront.NewInvalidArgument("The parameter ConnectionTimeout must be between 1 and 10.")
	}
	if o.OriginShield == nil {
		o.OriginShield = &cloudfront.OriginShield{Enabled: ptr(false)}
	}
	if o.OriginAccessControlId == nil {
		o.OriginAccessControlId = ptr("")
	}
	if oac := *o.OriginAccessControlId; oac != "" {
		if o.S3OriginConfig != nil && deref(o.S3OriginConfig.OriginAccessIdentity) != "" {
			return cloudfront.NewIllegalOriginAccessConfiguration("An origin cannot contain both an origin access control (OAC) and an origin access identity (OAI).")
		}
		ok, err := oacExists(ctx, oac)
		if err != nil {
			return err
		}
		if !ok {
			return cloudfront.NewInvalidOriginAccessControl("The origin access control does not exist or is not valid: %s", oac)
		}
	}
	if c := o.CustomOriginConfig; c != nil {
		if c.OriginReadTimeout == nil {
			c.OriginReadTimeout = ptr(int32(30))
		}
		if t := *c.OriginReadTimeout; t < 1 || t > 120 {
			return cloudfront.NewInvalidOriginReadTimeout("The read timeout specified for the origin is not valid (1-120 seconds): %d", t)
		}
		if c.OriginKeepaliveTimeout == nil {
			c.OriginKeepaliveTimeout = ptr(int32(5))
		}
		if t := *c.OriginKeepaliveTimeout; t < 1 || t > 120 {
			return cloudfront.NewInvalidOriginKeepaliveTimeout("The keep alive timeout specified for the origin is not valid (1-120 seconds): %d", t)
		}
		if c.OriginSslProtocols == nil {
			c.OriginSslProtocols = &cloudfront.OriginSslProtocols{Quantity: ptr(int32(3)),
				Items: []cloudfront.SslProtocol{cloudfront.SslProtocolTLSv1, cloudfront.SslProtocolTLSv11, cloudfront.SslProtocolTLSv12}}
		}
	}
	return nil
}

var (
	methodSets = [][]cloudfront.Method{
		{cloudfront.MethodGET, cloudfront.MethodHEAD},
		{cloudfront.MethodGET, cloudfront.MethodHEAD, cloudfront.MethodOPTIONS},
		{cloudfront.MethodGET, cloudfront.MethodHEAD, cloudfront.MethodOPTIONS, cloudfront.MethodPUT, cloudfront.MethodPATCH, cloudfront.MethodPOST, cloudfront.MethodDELETE},
	}
	cachedMethodSets = methodSets[:2]
)

func sameMethodSet(got []cloudfront.Method, sets [][]cloudfront.Method) bool {
	have := map[cloudfront.Method]bool{}
	for _, m := range got {
		have[m] = true
	}
	for _, s := range sets {
		if len(have) != len(s) || len(got) != len(s) {
			continue
		}
		ok := true
		for _, m := range s {
			ok = ok && have[m]
		}
		if ok {
			return true
		}
	}
	return false
}

// normalizeBehavior validates one cache behavior (the default one converted to a
// CacheBehavior) and fills AWS's defaults.
func normalizeBehavior(b *cloudfront.CacheBehavior, targets map[string]bool) error {
	if !targets[deref(b.TargetOriginId)] {
		return cloudfront.NewNoSuchOrigin("One or more of your origins or origin groups do not exist.")
	}
	if deref(b.CachePolicyId) != "" {
		if b.ForwardedValues != nil {
			return cloudfront.NewInvalidArgument("The parameter ForwardedValues cannot be used when a cache policy is associated to the cache behavior.")
		}
		if b.MinTTL != nil || b.DefaultTTL != nil || b.MaxTTL != nil {
			return cloudfront.NewInvalidArgument("The parameters MinTTL, DefaultTTL and MaxTTL cannot be used when a cache policy is associated to the cache behavior.")
		}
	} else {
		if b.ForwardedValues == nil {
			return cloudfront.NewInvalidArgument("The parameter ForwardedValues is required.")
		}
		fv := b.ForwardedValues
		if fv.Headers == nil {
			fv.Headers = &cloudfront.Headers{Quantity: ptr(int32(0))}
		}
		if fv.QueryStringCacheKeys == nil {
			fv.QueryStringCacheKeys = &cloudfront.QueryStringCacheKeys{Quantity: ptr(int32(0))}
		}
		if fv.Cookies != nil && fv.Cookies.Forward == "whitelist" && (fv.Cookies.WhitelistedNames == nil || len(fv.Cookies.WhitelistedNames.Items) == 0) {
			return cloudfront.NewInvalidForwardCookies("Your request contains forward cookies option which doesn't match with the expectation for the whitelisted list of cookie names: whitelist needs at least one name.")
		}
		if b.MinTTL == nil {
			b.MinTTL = ptr(int64(defaultMinTTL))
		}
		if b.DefaultTTL == nil {
			b.DefaultTTL = ptr(max(int64(defaultDefaultTTL), *b.MinTTL))
		}
		if b.MaxTTL == nil {
			b.MaxTTL = ptr(max(int64(defaultMaxTTL), *b.DefaultTTL))
		}
		if *b.MinTTL < 0 || *b.MinTTL > *b.DefaultTTL || *b.DefaultTTL > *b.MaxTTL {
			return cloudfront.NewInvalidTTLOrder("The TTL order specified is not valid: MinTTL <= DefaultTTL <= MaxTTL is required.")
		}
	}
	if b.AllowedMethods == nil {
		b.AllowedMethods = &cloudfront.AllowedMethods{Quantity: ptr(int32(2)), Items: []cloudfront.Method{cloudfront.MethodHEAD, cloudfront.MethodGET}}
	}
	if !sameMethodSet(b.AllowedMethods.Items, methodSets) {
		return cloudfront.NewInvalidArgument("The parameter AllowedMethods must be GET and HEAD; GET, HEAD and OPTIONS; or all seven methods.")
	}
	if b.AllowedMethods.CachedMethods == nil {
		b.AllowedMethods.CachedMethods = &cloudfront.CachedMethods{Quantity: ptr(int32(2)), Items: []cloudfront.Method{cloudfront.MethodHEAD, cloudfront.MethodGET}}
	}
	if !sameMethodSet(b.AllowedMethods.CachedMethods.Items, cachedMethodSets) {
		return cloudfront.NewInvalidArgument("The parameter CachedMethods must be GET and HEAD, or GET, HEAD and OPTIONS.")
	}
	if b.TrustedSigners == nil {
		b.TrustedSigners = &cloudfront.TrustedSigners{Enabled: ptr(false), Quantity: ptr(int32(0))}
	}
	if b.TrustedKeyGroups == nil {
		b.TrustedKeyGroups = &cloudfront.TrustedKeyGroups{Enabled: ptr(false), Quantity: ptr(int32(0))}
	}
	if b.SmoothStreaming == nil {
		b.SmoothStreaming = ptr(false)
	}
	if b.Compress == nil {
		b.Compress = ptr(false)
	}
	if b.LambdaFunctionAssociations == nil {
		b.LambdaFunctionAssociations = &cloudfront.LambdaFunctionAssociations{Quantity: ptr(int32(0))}
	}
	if b.FunctionAssociations == nil {
		b.FunctionAssociations = &cloudfront.FunctionAssociations{Quantity: ptr(int32(0))}
	}
	if b.FieldLevelEncryptionId == nil {
		b.FieldLevelEncryptionId = ptr("")
	}
	return nil
}

func normalizeViewerCertificate(cfg *cloudfront.DistributionConfig) error {
	if cfg.ViewerCertificate == nil {
		cfg.ViewerCertificate = &cloudfront.ViewerCertificate{CloudFrontDefaultCertificate: ptr(true)}
	}
	vc := cfg.ViewerCertificate
	acm, iam, def := deref(vc.ACMCertificateArn), deref(vc.IAMCertificateId), deref(vc.CloudFrontDefaultCertificate)
	n := 0
	for _, set := range []bool{acm != "", iam != "", def} {
		if set {
			n++
		}
	}
	if n != 1 {
		return cloudfront.NewInvalidViewerCertificate("The viewer certificate must specify exactly one of CloudFrontDefaultCertificate, ACMCertificateArn and IAMCertificateId.")
	}
	switch {
	case def:
		if len(cfg.Aliases.Items) > 0 {
			return cloudfront.NewInvalidViewerCertificate("To add an alternate domain name (CNAME) to a CloudFront distribution, you must attach a trusted certificate that validates your authorization to use the domain name. For more details, see: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/CNAMEs.html#alternate-domain-names-requirements")
		}
		vc.CertificateSource, vc.Certificate = cloudfront.CertificateSourceCloudfront, nil
		if vc.SSLSupportMethod == "" {
			vc.SSLSupportMethod = cloudfront.SSLSupportMethodVip
		}
	case acm != "":
		if m := acmARN.FindStringSubmatch(acm); m == nil || m[2] != "us-east-1" {
			return cloudfront.NewInvalidViewerCertificate("The specified SSL certificate doesn't exist, isn't in us-east-1 region, isn't valid, or doesn't include a valid certificate chain.")
		}
		vc.CertificateSource, vc.Certificate = cloudfront.CertificateSourceAcm, ptr(acm)
		vc.CloudFrontDefaultCertificate = ptr(false)
	default:
		vc.CertificateSource, vc.Certificate = cloudfront.CertificateSourceIam, ptr(iam)
		vc.CloudFrontDefaultCertificate = ptr(false)
	}
	if !def && vc.SSLSupportMethod == "" {
		return cloudfront.NewInvalidViewerCertificate("The parameter SSLSupportMethod is required when a custom SSL certificate is specified.")
	}
	if vc.MinimumProtocolVersion == "" {
		vc.MinimumProtocolVersion = cloudfront.MinimumProtocolVersionTLSv1
	}
	return nil
}

func defaultAsBehavior(d *cloudfront.DefaultCacheBehavior) cloudfront.CacheBehavior {
	return cloudfront.CacheBehavior{
		AllowedMethods: d.AllowedMethods, CachePolicyId: d.CachePolicyId, Compress: d.Compress, DefaultTTL: d.DefaultTTL,
		FieldLevelEncryptionId: d.FieldLevelEncryptionId, ForwardedValues: d.ForwardedValues, FunctionAssociations: d.FunctionAssociations,
		GrpcConfig: d.GrpcConfig, LambdaFunctionAssociations: d.LambdaFunctionAssociations, MaxTTL: d.MaxTTL, MinTTL: d.MinTTL,
		OriginRequestPolicyId: d.OriginRequestPolicyId, RealtimeLogConfigArn: d.RealtimeLogConfigArn, ResponseHeadersPolicyId: d.ResponseHeadersPolicyId,
		SmoothStreaming: d.SmoothStreaming, TargetOriginId: d.TargetOriginId, TrustedKeyGroups: d.TrustedKeyGroups, TrustedSigners: d.TrustedSigners,
		ViewerProtocolPolicy: d.ViewerProtocolPolicy,
	}
}

func behaviorAsDefault(b *cloudfront.CacheBehavior) cloudfront.DefaultCacheBehavior {
	return cloudfront.DefaultCacheBehavior{
		AllowedMethods: b.AllowedMethods, CachePolicyId: b.CachePolicyId, Compress: b.Compress, DefaultTTL: b.DefaultTTL,
		FieldLevelEncryptionId: b.FieldLevelEncryptionId, ForwardedValues: b.ForwardedValues, FunctionAssociations: b.FunctionAssociations,
		GrpcConfig: b.GrpcConfig, LambdaFunctionAssociations: b.LambdaFunctionAssociations, MaxTTL: b.MaxTTL, MinTTL: b.MinTTL,
		OriginRequestPolicyId: b.OriginRequestPolicyId, RealtimeLogConfigArn: b.RealtimeLogConfigArn, ResponseHeadersPolicyId: b.ResponseHeadersPolicyId,
		SmoothStreaming: b.SmoothStreaming, TargetOriginId: b.TargetOriginId, TrustedKeyGroups: b.TrustedKeyGroups, TrustedSigners: b.TrustedSigners,
		ViewerProtocolPolicy: b.ViewerProtocolPolicy,
	}
}

// aliasKeys returns the CNAME index keys of a configuration's aliases.
func aliasKeys(cfg *cloudfront.DistributionConfig) []string {
	if cfg == nil || cfg.Aliases == nil {
		return nil
	}
	out := make([]string, 0, len(cfg.Aliases.Items))
	for _, a := range cfg.Aliases.Items {
		out = append(out, encodeKeyPart(strings.ToLower(a)))
	}
	return out
}
