package aws

import (
	"testing"

	"github.com/redisctl/redisctl/providers/aws/elasticachefake"
)

const fakeAccessKey = "AKIDREDISCTLTEST"

// useFake starts a fake ElastiCache and points the AWS SDK's standard
// configuration chain at it through the environment, as a user's shell
// would: nothing in the provider knows it is talking to a fake.
func useFake(t *testing.T) *elasticachefake.Server {
	t.Helper()
	f := elasticachefake.New()
	t.Cleanup(f.Close)
	f.AccessKey = fakeAccessKey
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL_ELASTICACHE": f.URL,
		"AWS_ACCESS_KEY_ID":            fakeAccessKey,
		"AWS_SECRET_ACCESS_KEY":        "fake-secret-key",
		"AWS_SESSION_TOKEN":            "",
		"AWS_PROFILE":                  "",
		"AWS_REGION":                   "us-east-1",
		"AWS_CONFIG_FILE":              "/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE":  "/dev/null",
		"AWS_EC2_METADATA_DISABLED":    "true",
		"REDISCTL_POLL_INTERVAL":       "2ms",
	} {
		t.Setenv(k, v)
	}
	return f
}
