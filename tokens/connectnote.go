package tokens

import "context"

type connectNoteKey struct{}

// WithConnectNote returns ctx carrying note for the account Connect is
// about to store (package connect: the scopes the user did not grant).
// The OnConnect hook reads it with ConnectNote (jobs puts it in
// account.connected's reason). It must never carry a secret.
func WithConnectNote(ctx context.Context, note string) context.Context {
	return context.WithValue(ctx, connectNoteKey{}, note)
}

// ConnectNote is the note WithConnectNote put in ctx, or "".
func ConnectNote(ctx context.Context) string {
	s, _ := ctx.Value(connectNoteKey{}).(string)
	return s
}
