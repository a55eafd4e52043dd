// Password backends: who may log in with a username and a password (the registry's token
// endpoint, the osprey-style /access-token login, a Basic password at the front door).
// One interface so every endpoint can use every backend, several in order.

/** Who a password proved, with what the backend knows of them. */
export interface PasswordIdentity {
  /** The name to use from now on (a backend may canonicalise the one typed). */
  subject: string;
  /** Group names (LDAP groups, a static user's groups): drive ACLs and impersonation. */
  groups: string[];
  /** Other facts a rule may match on (`mail`, `department`…), each a list of values. */
  labels?: Record<string, string[]>;
}

export interface PasswordChecker {
  /** For logs and errors: 'ldap', 'static', 'webhook'… */
  readonly name: string;
  /**
   * The identity, or null when this backend does not know the user or the password is
   * wrong (the next backend is asked; all null is a 401). Throws FERRY_ERR_UNAVAILABLE when
   * the backend cannot answer (server down): that is a 503, never a 401. The password never
   * appears in a log or an error message.
   */
  check(username: string, password: string): Promise<PasswordIdentity | null>;
  close?(): Promise<void>;
}
