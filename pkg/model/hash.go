package model

import "strings"

// hashSeparators are ignored in algorithm names.
var hashSeparators = strings.NewReplacer("-", "", "_", "", " ", "")

// HashAlgorithm returns the canonical (CycloneDX) spelling of a hash
// algorithm name written in any dialect: "SHA256", "sha256", "SHA-256" all
// become "SHA-256"; "BLAKE2b256" becomes "BLAKE2b-256". Unknown names are
// returned upper-cased.
func HashAlgorithm(name string) string {
	k := strings.ToUpper(hashSeparators.Replace(strings.TrimSpace(name)))
	switch k {
	case "MD2", "MD4", "MD5", "MD6", "ADLER32":
		return k
	case "SHA1":
		return "SHA-1"
	case "SHA224":
		return "SHA-224"
	case "SHA256":
		return "SHA-256"
	case "SHA384":
		return "SHA-384"
	case "SHA512":
		return "SHA-512"
	case "SHA3256":
		return "SHA3-256"
	case "SHA3384":
		return "SHA3-384"
	case "SHA3512":
		return "SHA3-512"
	case "BLAKE2B256":
		return "BLAKE2b-256"
	case "BLAKE2B384":
		return "BLAKE2b-384"
	case "BLAKE2B512":
		return "BLAKE2b-512"
	case "BLAKE3":
		return "BLAKE3"
	case "STREEBOG256":
		return "Streebog-256"
	case "STREEBOG512":
		return "Streebog-512"
	}
	return strings.ToUpper(strings.TrimSpace(name))
}
