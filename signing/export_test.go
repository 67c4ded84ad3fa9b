package signing

import "crypto/x509"

// PrivateDER exposes a key's PKCS#1 DER private key to the black-box tests.
func PrivateDER(k *Key) []byte { return x509.MarshalPKCS1PrivateKey(k.priv) }
