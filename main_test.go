package main

import (
	"os"
	"testing"
)

func TestSDKLogsAreQuietOnlyWhenNobodyReadsThem(t *testing.T) {
	for _, v := range append(logSettings, "TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK") {
		t.Setenv(v, "")
	}
	quietUnreadSDKLogs()
	if got := os.Getenv("TF_LOG_SDK_FRAMEWORK"); got != "off" {
		t.Fatalf("TF_LOG_SDK_FRAMEWORK = %q with no logging asked for, want off", got)
	}
	t.Setenv("TF_LOG_SDK_FRAMEWORK", "")
	t.Setenv("TF_LOG", "trace")
	quietUnreadSDKLogs()
	if got := os.Getenv("TF_LOG_SDK_FRAMEWORK"); got != "" {
		t.Fatalf("TF_LOG_SDK_FRAMEWORK = %q although TF_LOG asks for logs", got)
	}
}
