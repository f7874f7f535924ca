package jobs

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// editScript changes a scheduled post's fields; with ARGV[1] = '1' (the
// content changes) only while the record holds no checkpoint, which an
// attempt's resume would publish in place of the new content. ARGV:
// content flag, field/value pairs. Replies {previous state ("" if none),
// changed, started}.
var editScript = redis.NewScript(`
local st = redis.call('HGET', KEYS[1], 'state')
if not st then return {'', 0, 0} end
if st ~= 'scheduled' then return {st, 0, 0} end
if ARGV[1] == '1' then
  for _, k in ipairs(redis.call('HKEYS', KEYS[1])) do
    if string.sub(k, 1, 3) == 'cp:' then return {st, 0, 1} end
  end
end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
return {st, 1, 0}
`)

type editResult struct {
	transitionResult
	started bool // refused: checkpoints exist and the content changes
}

// edit writes fields to a scheduled post's record; when content is set,
// only while no attempt has left a checkpoint.
func (s *store) edit(ctx context.Context, postID string, content bool, fields ...any) (editResult, error) {
	flag := "0"
	if content {
		flag = "1"
	}
	res, err := editScript.Run(ctx, s.rdb, []string{recordKey(postID)}, append([]any{flag}, fields...)...).Slice()
	if err != nil {
		return editResult{}, fmt.Errorf("edit record: %w", err)
	}
	prev, _ := res[0].(string)
	changed, _ := res[1].(int64)
	started, _ := res[2].(int64)
	return editResult{transitionResult: transitionResult{Prev: State(prev), Changed: changed == 1}, started: started == 1}, nil
}
