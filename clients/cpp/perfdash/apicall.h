// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// perfdash C++ client: ApiCall records one call to an external API as an `api_call` record (docs/protocol.md). A
// scope of a ModuleMetrics, made by its apiCall(), like its operations (WorkScope): timed on the monotonic clock,
// sent when end() is called or the scope ends, with a guid, the module as op_code and the ModuleMetrics' tags. The
// method is sent in upper case (ASCII), as the Python SDK sends it, so "post" and "POST" are one series.
// Without setSuccess() or fail(), it succeeded when its status (if one was set) is 1 … 399; an exception leaving
// the scope fails it. Belongs to the thread that made it.
//
//   {
//       auto call = metrics.apiCall("POST", "/v1/charge");   // the endpoint as a route, without ids
//       const Response r = http.post(url, body);
//       call.setStatus(r.status);                             // 502: failed
//       call.setRequestKb(body.size() / 1024.0);
//       call.setResponseKb(r.body.size() / 1024.0);
//   }                                                         // the record is sent here

#include "perfdash/format.h"
#include "perfdash/jsonline.h"
#include "perfdash/modulemetrics.h"

#include <optional>
#include <string>
#include <utility>

namespace perfdash::client {

class ApiCall : public WorkScope {
public:
    ApiCall(ApiCall &&other) noexcept
        : WorkScope(std::move(other))
        , m_method(std::move(other.m_method))
        , m_endpoint(std::move(other.m_endpoint))
        , m_status(other.m_status)
        , m_requestKb(other.m_requestKb)
        , m_responseKb(other.m_responseKb)
        , m_cacheHit(other.m_cacheHit)
    { }
    ~ApiCall() { end(); }

    // The HTTP status, 0 … 999 (0: no answer); another value is not sent.
    void setStatus(int status) { m_status = status; }
    void setRequestKb(double kb) { m_requestKb = kb; }
    void setResponseKb(double kb) { m_responseKb = kb; }
    void setCacheHit(bool hit = true) { m_cacheHit = hit; }
    bool success() const { return m_success.value_or(!m_status || (*m_status > 0 && *m_status < 400)); }

    // Ends the call and sends its record; later calls do nothing. Returns the elapsed seconds.
    double end() noexcept
    {
        double elapsed = 0;
        if (ModuleMetrics *metrics = release(elapsed))
            metrics->sendScope(*this, elapsed);
        return elapsed;
    }

    // The record as it would be sent for the given time; for tests and for callers that send elsewhere.
    std::string toJson(double endUnix, double elapsed, const Tags &tags = {}) const
    {
        JsonLine line("api_call");
        line.field("ts", endUnix);
        identityFields(line);
        if (!m_method.empty())
            line.field("method", sanitizeName(asciiUpper(m_method)));
        line.field("endpoint", sanitizeName(m_endpoint));
        if (m_status && *m_status >= 0 && *m_status <= 999)
            line.field("status", int64_t(*m_status));
        if (m_requestKb && *m_requestKb >= 0)
            line.field("request_kb", *m_requestKb);
        if (m_responseKb && *m_responseKb >= 0)
            line.field("response_kb", *m_responseKb);
        line.field("elapsed_s", elapsed);
        if (m_cacheHit)
            line.field("cache_hit", *m_cacheHit);
        outcomeFields(line, success());
        line.tags(tags);
        return std::move(line).finish();
    }

private:
    friend class ModuleMetrics;
    ApiCall(ModuleMetrics *metrics, std::string method, std::string endpoint, std::string opCode, double start)
        : WorkScope(metrics, std::move(opCode), start)
        , m_method(std::move(method))
        , m_endpoint(std::move(endpoint))
    { }

    std::string m_method, m_endpoint;
    std::optional<int> m_status;
    std::optional<double> m_requestKb, m_responseKb;
    std::optional<bool> m_cacheHit;
};

inline ApiCall ModuleMetrics::apiCall(std::string method, std::string endpoint)
{
    return ApiCall(this, std::move(method), std::move(endpoint), m_module, now());
}

} // namespace perfdash::client
