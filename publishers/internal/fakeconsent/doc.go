// Package fakeconsent is what the platform fakes' OAuth consent pages
// and code exchanges share, where the logic is the same on every
// platform:
//
//   - Consent serves the consent page (GET: a form with Allow and Deny
//     and the user's id) and its decision (POST), refusing a bad
//     authorize request with a 400 and no redirect, and sending the
//     browser back to redirect_uri with the state and a code or the
//     platform's error (Back);
//   - Codes seals authorization codes that carry what the consent bound
//     them to (the user, redirect_uri, scopes, PKCE challenge, time)
//     with an HMAC of the fake's client secret, so a code cannot be
//     forged or altered; Hash names a code in a call log without
//     holding it, for the fakes whose log makes codes single use;
//   - Problem is the authorize request check the platforms share
//     (response_type, client, scope, redirect_uri), RedirectOK and
//     Loopback the redirect_uri test (absolute https, http on loopback
//     only), Kept what a user who unticks some scopes grants;
//   - Decide, Code, Exchange and RefusesEach are the client side, for
//     the fakes' tests.
//
// Each fake keeps its platform's own wire: the parameter names
// (client_id or client_key), the error words and shapes, the code
// prefixes and lives, the scopes that cannot be unticked, the token
// lifetimes, each with the citation of the page it comes from.
package fakeconsent
