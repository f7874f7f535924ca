// Package redistest gives tests a real Redis.
//
// A test package calls Main from its TestMain: that starts one private
// redis-server for the package (unix socket in a temp dir, nothing on
// disk, noeviction as asynq needs), or uses the server named by
// HERALD_TEST_REDIS_URL. Each test then calls New, which hands it a fresh,
// empty logical database of its own, so tests run in parallel without
// seeing each other's keys.
//
//	func TestMain(m *testing.M) { redistest.Main(m) }
//
//	func TestSomething(t *testing.T) {
//		db := redistest.New(t)
//		client := asynq.NewClient(db.ConnOpt())
//		...
//	}
package redistest
