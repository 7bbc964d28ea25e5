// SPDX-License-Identifier: GPL-3.0-or-later
// Test helper: a stand-in for libnvidia-ml.so.1 with two GPUs and fixed readings, so that NvmlBackend's dlopen, symbol
// lookup and struct layouts run without a GPU. Declares the entry points as NVML 12's nvml.h does.
extern "C" {

struct FakeUtilization {
    unsigned int gpu;
    unsigned int memory;
};
struct FakeMemory {
    unsigned long long total;
    unsigned long long free;
    unsigned long long used;
};
struct FakeProcessInfo {
    unsigned int pid;
    unsigned long long usedGpuMemory;
    unsigned int gpuInstanceId;
    unsigned int computeInstanceId;
};

namespace {
constexpr unsigned long long kMiB = 1024ULL * 1024ULL;
int g_devices[2];
bool g_initialised = false;
constexpr unsigned int kManyProcesses = 70; // more than the caller's first guess: exercises the retry
} // namespace

__attribute__((visibility("default"))) int nvmlInit_v2()
{
    g_initialised = true;
    return 0;
}
__attribute__((visibility("default"))) int nvmlShutdown()
{
    g_initialised = false;
    return 0;
}
__attribute__((visibility("default"))) int nvmlDeviceGetCount_v2(unsigned int *count)
{
    if (!g_initialised)
        return 1; // NVML_ERROR_UNINITIALIZED
    *count = 2;
    return 0;
}
__attribute__((visibility("default"))) int nvmlDeviceGetHandleByIndex_v2(unsigned int index, void **device)
{
    if (index >= 2)
        return 2; // NVML_ERROR_INVALID_ARGUMENT
    *device = &g_devices[index];
    return 0;
}
__attribute__((visibility("default"))) int nvmlDeviceGetUtilizationRates(void *device, FakeUtilization *out)
{
    out->gpu = device == &g_devices[0] ? 37 : 80;
    out->memory = 5;
    return 0;
}
__attribute__((visibility("default"))) int nvmlDeviceGetMemoryInfo(void *device, FakeMemory *out)
{
    out->total = 16384 * kMiB;
    out->used = device == &g_devices[0] ? 1024 * kMiB : 2048 * kMiB;
    out->free = out->total - out->used;
    return 0;
}
__attribute__((visibility("default"))) int nvmlDeviceGetComputeRunningProcesses_v3(
    void *device, unsigned int *count, FakeProcessInfo *infos)
{
    if (device == &g_devices[0]) {
        if (*count < 1) {
            *count = 1;
            return 7; // NVML_ERROR_INSUFFICIENT_SIZE
        }
        *count = 1;
        infos[0] = { 4242, 512 * kMiB, 0, 0 };
        return 0;
    }
    if (*count < kManyProcesses) {
        *count = kManyProcesses;
        return 7;
    }
    *count = kManyProcesses;
    infos[0] = { 4242, 256 * kMiB, 0, 0 };
    infos[1] = { 77, ~0ULL, 0, 0 }; // NVML_VALUE_NOT_AVAILABLE
    for (unsigned int i = 2; i < kManyProcesses; ++i)
        infos[i] = { 10000 + i, 1 * kMiB, 0, 0 };
    return 0;
}
}
