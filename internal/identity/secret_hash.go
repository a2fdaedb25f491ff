package identity

// HashSecret returns the argon2id hash (PHC form, fresh salt, the service's
// costs) of a secret other than an account password, such as a share
// link's password, so every stored secret is hashed the one house way.
func (s *Service) HashSecret(secret string) string { return hashPassword(secret, s.cfg.Argon2) }

// VerifySecret reports whether secret matches a hash made by HashSecret (or
// any argon2id PHC hash), in constant time; a malformed hash never matches.
func (s *Service) VerifySecret(secret, hash string) bool { return verifyPassword(secret, hash) }
