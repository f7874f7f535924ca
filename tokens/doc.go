// Package tokens gives the worker a usable OAuth token for an account.
//
// The worker asks a Source for a token right before each platform call; it
// never stores or logs one. The encrypted Vault (refresh under a lock,
// disconnect, erase) implements Source; Static serves the sandbox platform
// and tests, where no real token exists.
package tokens
