// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArrayView>
#include <QtEndian>

#include <cstring>

namespace perfdash {

// Reads the fields of a serialized blob (canonical LEB128 varints, little-endian doubles, byte runs). The first
// failure sticks, so callers check ok() once per block; nothing reads past the end. Shared by every blob format of
// the domain layer (quantile sketches, quality metrics).
class BlobReader {
public:
    explicit BlobReader(QByteArrayView data)
        : m_data(data)
    { }

    bool ok() const { return m_ok; }
    bool atEnd() const { return m_pos == m_data.size(); }
    qsizetype remaining() const { return m_data.size() - m_pos; }
    void fail() { m_ok = false; }

    quint8 byte()
    {
        if (!m_ok || m_pos >= m_data.size()) {
            fail();
            return 0;
        }
        return quint8(m_data[m_pos++]);
    }

    quint64 varint()
    {
        quint64 v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            const quint8 b = byte();
            if (!m_ok)
                return 0;
            if (shift == 63 && b > 1)
                break; // would overflow 64 bits
            v |= quint64(b & 0x7f) << shift;
            if (!(b & 0x80)) {
                if (b == 0 && shift > 0)
                    break; // a redundant zero byte: only the canonical encoding round-trips byte for byte
                return v;
            }
        }
        fail();
        return 0;
    }

    double f64()
    {
        if (!m_ok || remaining() < 8) {
            fail();
            return 0;
        }
        const quint64 bits = qFromLittleEndian<quint64>(m_data.data() + m_pos);
        m_pos += 8;
        double v;
        std::memcpy(&v, &bits, sizeof v);
        return v;
    }

    QByteArrayView bytes(quint64 n)
    {
        if (!m_ok || n > quint64(remaining())) {
            fail();
            return {};
        }
        const QByteArrayView v = m_data.sliced(m_pos, qsizetype(n));
        m_pos += qsizetype(n);
        return v;
    }

private:
    QByteArrayView m_data;
    qsizetype m_pos = 0;
    bool m_ok = true;
};

} // namespace perfdash
