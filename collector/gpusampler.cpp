// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/gpusampler.h"

#include <dlfcn.h>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {

constexpr double kBytesPerMiB = 1024.0 * 1024.0;

// The few NVML types we use, declared as nvml.h does (NVML's ABI keeps them stable; versioned entry points change
// their structs, hence the _v suffixes below).
using NvmlReturn = int;
constexpr NvmlReturn kNvmlSuccess = 0;
constexpr NvmlReturn kNvmlInsufficientSize = 7;
using NvmlDevice = void *;
struct NvmlUtilization {
    unsigned int gpu;
    unsigned int memory;
};
struct NvmlMemory {
    unsigned long long total;
    unsigned long long free;
    unsigned long long used;
};
struct NvmlProcessInfoV1 { // nvmlDeviceGetComputeRunningProcesses (unversioned)
    unsigned int pid;
    unsigned long long usedGpuMemory;
};
struct NvmlProcessInfoV2 { // nvmlDeviceGetComputeRunningProcesses_v2 and _v3
    unsigned int pid;
    unsigned long long usedGpuMemory;
    unsigned int gpuInstanceId;
    unsigned int computeInstanceId;
};
// NVML reports this when it cannot know a process's memory (for example under some virtualisation).
constexpr unsigned long long kNvmlValueNotAvailable = ~0ULL;

template <typename Info>
bool runningProcesses(
    NvmlReturn (*fn)(NvmlDevice, unsigned int *, Info *), NvmlDevice device, QVector<QPair<qint64, double>> *out)
{
    // Ask with room for 64, and once more with the size NVML asks for if that was too few.
    QVector<Info> infos(64);
    unsigned int count = unsigned(infos.size());
    NvmlReturn rc = fn(device, &count, infos.data());
    if (rc == kNvmlInsufficientSize && count > unsigned(infos.size()) && count < 65536) {
        infos.resize(qsizetype(count) + 8);
        count = unsigned(infos.size());
        rc = fn(device, &count, infos.data());
    }
    if (rc != kNvmlSuccess)
        return false;
    for (unsigned int i = 0; i < count && i < unsigned(infos.size()); ++i) {
        if (infos[i].usedGpuMemory != kNvmlValueNotAvailable)
            out->push_back({ qint64(infos[i].pid), double(infos[i].usedGpuMemory) / kBytesPerMiB });
    }
    return true;
}

} // namespace

struct NvmlBackend::Api {
    NvmlReturn (*init)() = nullptr;
    NvmlReturn (*shutdown)() = nullptr;
    NvmlReturn (*deviceCount)(unsigned int *) = nullptr;
    NvmlReturn (*handleByIndex)(unsigned int, NvmlDevice *) = nullptr;
    NvmlReturn (*utilization)(NvmlDevice, NvmlUtilization *) = nullptr;
    NvmlReturn (*memory)(NvmlDevice, NvmlMemory *) = nullptr;
    NvmlReturn (*processesV2)(NvmlDevice, unsigned int *, NvmlProcessInfoV2 *) = nullptr;
    NvmlReturn (*processesV1)(NvmlDevice, unsigned int *, NvmlProcessInfoV1 *) = nullptr;
};

namespace {
template <typename Fn>
void resolve(void *handle, Fn *fn, std::initializer_list<const char *> names)
{
    for (const char *name : names) {
        if (void *symbol = ::dlsym(handle, name)) {
            *fn = reinterpret_cast<Fn>(symbol);
            return;
        }
    }
}
} // namespace

std::unique_ptr<NvmlBackend> NvmlBackend::load(const QByteArray &library, QString *why)
{
    void *handle = ::dlopen(library.constData(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        *why = u"%1 not found"_s.arg(QString::fromLocal8Bit(library));
        return nullptr;
    }
    std::unique_ptr<NvmlBackend> backend(new NvmlBackend);
    backend->m_handle = handle;
    backend->m_api = std::make_unique<Api>();
    Api &api = *backend->m_api;
    resolve(handle, &api.init, { "nvmlInit_v2", "nvmlInit" });
    resolve(handle, &api.shutdown, { "nvmlShutdown" });
    resolve(handle, &api.deviceCount, { "nvmlDeviceGetCount_v2", "nvmlDeviceGetCount" });
    resolve(handle, &api.handleByIndex, { "nvmlDeviceGetHandleByIndex_v2", "nvmlDeviceGetHandleByIndex" });
    resolve(handle, &api.utilization, { "nvmlDeviceGetUtilizationRates" });
    resolve(handle, &api.memory, { "nvmlDeviceGetMemoryInfo" });
    resolve(handle, &api.processesV2,
        { "nvmlDeviceGetComputeRunningProcesses_v3", "nvmlDeviceGetComputeRunningProcesses_v2" });
    if (!api.processesV2)
        resolve(handle, &api.processesV1, { "nvmlDeviceGetComputeRunningProcesses" });
    if (!api.init || !api.shutdown || !api.deviceCount || !api.handleByIndex || !api.utilization || !api.memory) {
        *why = u"NVML in %1 lacks the functions we need"_s.arg(QString::fromLocal8Bit(library));
        api.shutdown = nullptr; // init never ran; the destructor only closes the library
        return nullptr;
    }
    if (const NvmlReturn rc = api.init(); rc != kNvmlSuccess) {
        api.shutdown = nullptr;
        *why = u"NVML did not initialise (error %1)"_s.arg(rc);
        return nullptr;
    }
    unsigned int count = 0;
    if (api.deviceCount(&count) != kNvmlSuccess || count == 0) {
        *why = u"NVML sees no GPU"_s;
        return nullptr;
    }
    for (unsigned int i = 0; i < count; ++i) {
        NvmlDevice device = nullptr;
        // A device we cannot open keeps its index, so gpu:N matches nvidia-smi; it just never reads.
        if (api.handleByIndex(i, &device) != kNvmlSuccess)
            device = nullptr;
        backend->m_devices.push_back(device);
    }
    return backend;
}

NvmlBackend::~NvmlBackend()
{
    if (m_api && m_api->shutdown)
        m_api->shutdown();
    if (m_handle)
        ::dlclose(m_handle);
}

bool NvmlBackend::read(int index, GpuReading *out)
{
    if (index < 0 || index >= m_devices.size() || !m_devices[index])
        return false;
    NvmlDevice device = m_devices[index];
    bool any = false;
    NvmlUtilization util {};
    if (m_api->utilization(device, &util) == kNvmlSuccess) {
        out->utilizationPercent = double(util.gpu);
        any = true;
    }
    NvmlMemory memory {};
    if (m_api->memory(device, &memory) == kNvmlSuccess) {
        out->memoryUsedMb = double(memory.used) / kBytesPerMiB;
        out->memoryTotalMb = double(memory.total) / kBytesPerMiB;
        any = true;
    }
    if (m_api->processesV2)
        runningProcesses(m_api->processesV2, device, &out->processMemoryMb);
    else if (m_api->processesV1)
        runningProcesses(m_api->processesV1, device, &out->processMemoryMb);
    return any;
}

GpuSampler::GpuSampler(std::unique_ptr<GpuBackend> backend)
    : m_backend(std::move(backend))
{
    for (int i = 0; i < deviceCount(); ++i) {
        const QString tag = u"|gpu:"_s + QString::number(i);
        m_utilKeys.push_back(u"gpu.utilization_percent"_s + tag);
        m_usedKeys.push_back(u"gpu.memory_used_mb"_s + tag);
        m_totalKeys.push_back(u"gpu.memory_total_mb"_s + tag);
    }
}

void GpuSampler::sample(QVector<ResourceValue> &out, QHash<qint64, double> &processMemoryMb)
{
    processMemoryMb.clear();
    for (int i = 0; i < deviceCount(); ++i) {
        GpuReading reading;
        if (!m_backend->read(i, &reading)) {
            ++m_errors;
            continue;
        }
        if (std::isfinite(reading.utilizationPercent))
            out.push_back({ m_utilKeys[i], reading.utilizationPercent });
        if (std::isfinite(reading.memoryUsedMb))
            out.push_back({ m_usedKeys[i], reading.memoryUsedMb });
        if (std::isfinite(reading.memoryTotalMb))
            out.push_back({ m_totalKeys[i], reading.memoryTotalMb });
        for (const auto &[pid, mb] : reading.processMemoryMb)
            processMemoryMb[pid] += mb;
    }
}

} // namespace perfdash
