package templates

// Starter is what `redisctl init` fills into starter.yaml.tmpl.
type Starter struct {
	// File is where the spec is written, for the commands in its comments.
	File string
	// Name is the deployment's name.
	Name string
	// Layout is single, ha or cluster.
	Layout string
}
