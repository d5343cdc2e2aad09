package main

import (
	"math"
	"os"
	"runtime/debug"
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

func TestGarbageCollectionSettingsYieldToTheEnvironment(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))

	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	debug.SetGCPercent(100)
	debug.SetMemoryLimit(math.MaxInt64)
	collectGarbageLessOften()
	if got := debug.SetGCPercent(100); got != gcPercent {
		t.Fatalf("GC percent = %d, want %d", got, gcPercent)
	}
	if got := debug.SetMemoryLimit(math.MaxInt64); got != memoryLimit {
		t.Fatalf("memory limit = %d, want %d", got, memoryLimit)
	}

	t.Setenv("GOGC", "150")
	t.Setenv("GOMEMLIMIT", "1GiB")
	debug.SetGCPercent(150)
	collectGarbageLessOften()
	if got := debug.SetGCPercent(100); got != 150 {
		t.Fatalf("GC percent = %d with GOGC=150 set, want 150", got)
	}
	if got := debug.SetMemoryLimit(math.MaxInt64); got != math.MaxInt64 {
		t.Fatalf("memory limit = %d with GOMEMLIMIT set, want it left alone", got)
	}
}
