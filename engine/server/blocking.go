package server

// blockState describes what a blocked client waits for. The blocking
// operations (BLPOP and friends) fill it in; see block and unblock.
type blockState struct{}
