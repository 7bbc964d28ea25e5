// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/procfs.h"

#include <QList>

#include <algorithm>
#include <charconv>
#include <iterator>

#include <fcntl.h>
#include <unistd.h>

namespace perfdash::procfs {

namespace {

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

// Splits off the next whitespace-separated field of text; empty when none is left.
QByteArrayView nextField(QByteArrayView &text)
{
    qsizetype i = 0;
    while (i < text.size() && isSpace(text[i]))
        ++i;
    qsizetype j = i;
    while (j < text.size() && !isSpace(text[j]))
        ++j;
    const QByteArrayView field = text.sliced(i, j - i);
    text = text.sliced(j);
    return field;
}

template <typename T>
bool toNumber(QByteArrayView field, T *value)
{
    if (field.isEmpty())
        return false;
    const auto [ptr, ec] = std::from_chars(field.data(), field.data() + field.size(), *value);
    return ec == std::errc() && ptr == field.data() + field.size();
}

QByteArrayView nextLine(QByteArrayView &text)
{
    const qsizetype nl = text.indexOf('\n');
    const QByteArrayView line = nl < 0 ? text : text.first(nl);
    text = nl < 0 ? QByteArrayView() : text.sliced(nl + 1);
    return line;
}

} // namespace

std::optional<CpuTimes> parseStat(QByteArrayView text)
{
    CpuTimes out;
    bool haveTotal = false;
    while (!text.isEmpty()) {
        QByteArrayView line = nextLine(text);
        const QByteArrayView label = nextField(line);
        if (label == "cpu") {
            // user nice system idle iowait irq softirq steal [guest guest_nice]; older kernels stop after irq.
            quint64 v[8] = {};
            int n = 0;
            for (; n < 8; ++n) {
                const QByteArrayView field = nextField(line);
                if (field.isEmpty())
                    break;
                if (!toNumber(field, &v[n]))
                    return std::nullopt;
            }
            if (n < 4)
                return std::nullopt;
            out.busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
            out.total = out.busy + v[3] + v[4];
            haveTotal = true;
        } else if (label.startsWith("cpu") && label.size() > 3) {
            ++out.cores;
        } else if (haveTotal) {
            break; // the per-core lines follow the total; the rest of the file is of no interest
        }
    }
    if (!haveTotal)
        return std::nullopt;
    return out;
}

std::optional<MemInfo> parseMeminfo(QByteArrayView text)
{
    MemInfo out;
    quint64 freeKiB = 0, buffersKiB = 0, cachedKiB = 0;
    bool total = false, available = false, free = false;
    while (!text.isEmpty()) {
        QByteArrayView line = nextLine(text);
        const QByteArrayView label = nextField(line);
        quint64 value = 0;
        if (!toNumber(nextField(line), &value))
            continue;
        if (label == "MemTotal:") {
            out.totalKiB = value;
            total = true;
        } else if (label == "MemAvailable:") {
            out.availableKiB = value;
            available = true;
        } else if (label == "MemFree:") {
            freeKiB = value;
            free = true;
        } else if (label == "Buffers:") {
            buffersKiB = value;
        } else if (label == "Cached:") {
            cachedKiB = value;
        } else if (label == "SwapTotal:") {
            out.swapTotalKiB = value;
        } else if (label == "SwapFree:") {
            out.swapFreeKiB = value;
        }
    }
    if (!total || (!available && !free))
        return std::nullopt;
    if (!available)
        out.availableKiB = std::min(out.totalKiB, freeKiB + buffersKiB + cachedKiB);
    return out;
}

std::optional<LoadAvg> parseLoadavg(QByteArrayView text)
{
    LoadAvg out;
    if (!toNumber(nextField(text), &out.load1) || !toNumber(nextField(text), &out.load5)
        || !toNumber(nextField(text), &out.load15))
        return std::nullopt;
    return out;
}

std::optional<quint64> parseMemoryMax(QByteArrayView text)
{
    quint64 bytes = 0;
    if (!toNumber(nextField(text), &bytes) || bytes == 0)
        return std::nullopt;
    return bytes;
}

std::optional<PidStat> parsePidStat(QByteArrayView text)
{
    // The name may hold spaces and parentheses of its own: only the last ')' closes it.
    const qsizetype open = text.indexOf('(');
    const qsizetype close = text.lastIndexOf(')');
    if (open <= 0 || close < open)
        return std::nullopt;
    PidStat out;
    QByteArrayView head = text.first(open);
    if (!toNumber(nextField(head), &out.pid))
        return std::nullopt;
    out.comm = text.sliced(open + 1, close - open - 1).toByteArray();
    QByteArrayView rest = text.sliced(close + 1);
    // Fields from 3 (state) on; proc(5) numbers them from 1.
    QByteArrayView fields[22];
    for (auto &field : fields) {
        field = nextField(rest);
        if (field.isEmpty())
            return std::nullopt;
    }
    if (fields[0].size() != 1)
        return std::nullopt;
    out.state = fields[0][0];
    if (!toNumber(fields[14 - 3], &out.utime) || !toNumber(fields[15 - 3], &out.stime)
        || !toNumber(fields[20 - 3], &out.threads) || !toNumber(fields[22 - 3], &out.starttime)
        || !toNumber(fields[23 - 3], &out.vsizeBytes) || !toNumber(fields[24 - 3], &out.rssPages))
        return std::nullopt;
    return out;
}

namespace {
QByteArrayView baseName(QByteArrayView path)
{
    while (path.size() > 1 && path.endsWith('/'))
        path.chop(1);
    const qsizetype slash = path.lastIndexOf('/');
    return slash < 0 || path.size() == 1 ? path : path.sliced(slash + 1);
}

bool isInterpreter(QByteArrayView program)
{
    // Version suffixes as distributions install them: python3.11, ruby3.1, perl5.36.0, lua5.4.
    while (!program.isEmpty() && ((program.back() >= '0' && program.back() <= '9') || program.back() == '.'))
        program.chop(1);
    static constexpr QByteArrayView names[] = { "python", "pypy", "node", "nodejs", "deno", "bun", "ruby", "perl",
        "php", "java", "lua", "luajit", "Rscript", "julia", "tclsh", "sh", "bash", "dash", "zsh", "ksh" };
    return std::find(std::begin(names), std::end(names), program) != std::end(names);
}

// Options of those interpreters that take the next argument as their value, so it is not mistaken for the script.
bool takesValue(QByteArrayView option)
{
    static constexpr QByteArrayView options[] = { "-W", "-X", "-r", "--require", "--loader", "--import", "-cp",
        "-classpath", "--class-path", "--module-path", "-I" };
    return std::find(std::begin(options), std::end(options), option) != std::end(options);
}
} // namespace

QString commandName(QByteArrayView cmdline, QByteArrayView comm, qsizetype maxBytes)
{
    QList<QByteArrayView> args;
    for (qsizetype start = 0; start < cmdline.size();) {
        qsizetype end = cmdline.indexOf('\0', start);
        if (end < 0)
            end = cmdline.size();
        args.push_back(cmdline.sliced(start, end - start));
        start = end + 1;
    }
    while (!args.isEmpty() && args.constLast().isEmpty())
        args.pop_back();
    QByteArray name;
    if (args.isEmpty() || args.constFirst().isEmpty()) {
        name = comm.trimmed().toByteArray();
    } else {
        const QByteArrayView program = baseName(args.constFirst());
        name = program.toByteArray();
        if (isInterpreter(program)) {
            for (qsizetype i = 1; i < args.size(); ++i) {
                const QByteArrayView arg = args[i];
                if (arg == "-m" && i + 1 < args.size()) {
                    name += " -m ";
                    name += args[i + 1];
                    break;
                }
                if (arg == "-jar" && i + 1 < args.size()) {
                    name += ' ';
                    name += baseName(args[i + 1]);
                    break;
                }
                if (arg == "-c" || arg == "-e")
                    break; // code on the command line: no script to name
                if (arg == "--") {
                    if (i + 1 < args.size()) {
                        name += ' ';
                        name += baseName(args[i + 1]);
                    }
                    break;
                }
                if (arg.startsWith('-')) {
                    i += takesValue(arg) ? 1 : 0;
                    continue;
                }
                if (!arg.isEmpty()) {
                    name += ' ';
                    name += baseName(arg);
                    break;
                }
            }
        }
    }
    // Decoded first: an invalid byte becomes U+FFFD, three bytes, and the bound is on what is kept.
    QString text = QString::fromUtf8(name);
    for (QChar &c : text) {
        if (c == u',' || c == u'|' || c.unicode() < 0x20 || c.unicode() == 0x7f)
            c = u'_';
    }
    if (text.toUtf8().size() <= maxBytes)
        return text;
    const QString ellipsis(QChar(0x2026));
    qsizetype bytes = 3; // the ellipsis
    qsizetype keep = 0;
    while (keep < text.size()) {
        const bool pair = text.at(keep).isHighSurrogate() && keep + 1 < text.size();
        const qsizetype units = pair ? 2 : 1;
        const char16_t u = text.at(keep).unicode();
        const qsizetype size = pair ? 4 : u < 0x80 ? 1 : u < 0x800 ? 2 : 3;
        if (bytes + size > maxBytes)
            break;
        bytes += size;
        keep += units;
    }
    return QStringView(text).left(keep).trimmed() + ellipsis;
}

bool readFile(const char *path, std::string &out)
{
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    out.clear();
    // /proc files report size 0: read until EOF in chunks.
    char chunk[4096];
    bool ok = true;
    for (;;) {
        const ssize_t got = ::read(fd, chunk, sizeof chunk);
        if (got < 0) {
            ok = false;
            break;
        }
        if (got == 0)
            break;
        out.append(chunk, size_t(got));
    }
    ::close(fd);
    return ok;
}

} // namespace perfdash::procfs
