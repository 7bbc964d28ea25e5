// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "collector/resourcevalue.h"

#include <QByteArray>
#include <QHash>

#include <cmath>
#include <memory>

namespace perfdash {

// One GPU's readings; NaN where the driver would not say.
struct GpuReading {
    double utilizationPercent = std::nan("");
    double memoryUsedMb = std::nan("");
    double memoryTotalMb = std::nan("");
    QVector<QPair<qint64, double>> processMemoryMb; // compute processes: pid -> MB on this GPU
};

// Where GPU readings come from: NVML on a real machine, a fake in tests. Used on one thread.
class GpuBackend {
public:
    virtual ~GpuBackend() = default;
    virtual int deviceCount() const = 0;
    // False when the device cannot be read this round.
    virtual bool read(int index, GpuReading *out) = 0;
};

// NVML through dlopen: no NVML headers or link-time dependency, so perfdashd runs on machines without a driver.
class NvmlBackend final : public GpuBackend {
public:
    // Loads library (normally "libnvidia-ml.so.1", or a path), initialises NVML and counts the GPUs. Null when any
    // of it fails, with the reason in why.
    static std::unique_ptr<NvmlBackend> load(const QByteArray &library, QString *why);
    ~NvmlBackend() override;
    NvmlBackend(const NvmlBackend &) = delete;
    NvmlBackend &operator=(const NvmlBackend &) = delete;

    int deviceCount() const override { return int(m_devices.size()); }
    bool read(int index, GpuReading *out) override;

    struct Api; // resolved entry points

private:
    NvmlBackend() = default;

    void *m_handle = nullptr;
    std::unique_ptr<Api> m_api;
    QVector<void *> m_devices; // nvmlDevice_t
};

// Turns GPU readings into gauges gpu.utilization_percent, gpu.memory_used_mb and gpu.memory_total_mb, tagged gpu:N,
// and sums each process's GPU memory over the GPUs. Without a backend it does nothing. Used on one thread.
class GpuSampler {
public:
    explicit GpuSampler(std::unique_ptr<GpuBackend> backend);

    bool available() const { return m_backend && m_backend->deviceCount() > 0; }
    int deviceCount() const { return m_backend ? m_backend->deviceCount() : 0; }
    // Appends the GPUs' values and fills processMemoryMb (cleared first) with pid -> MB over every GPU.
    void sample(QVector<ResourceValue> &out, QHash<qint64, double> &processMemoryMb);
    quint64 errors() const { return m_errors; }

private:
    std::unique_ptr<GpuBackend> m_backend;
    QVector<QString> m_utilKeys, m_usedKeys, m_totalKeys;
    quint64 m_errors = 0;
};

} // namespace perfdash
