// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// perfdash C++ client: the text and the category of a caught exception, for a record's `error` and
// `error_category`. Pure functions, safe from any thread.

#include <exception>
#include <new>
#include <stdexcept>
#include <string>
#include <system_error>

namespace perfdash::client {

// The category of a caught exception, for `error_category`.
inline std::string errorCategory(const std::exception_ptr &e)
{
    try {
        std::rethrow_exception(e);
    } catch (const std::bad_alloc &) {
        return "memory";
    } catch (const std::system_error &) {
        return "system";
    } catch (const std::invalid_argument &) {
        return "validation";
    } catch (const std::domain_error &) {
        return "validation";
    } catch (const std::out_of_range &) {
        return "validation";
    } catch (const std::length_error &) {
        return "validation";
    } catch (const std::runtime_error &) {
        return "runtime";
    } catch (const std::exception &) {
        return "exception";
    } catch (...) {
        return "unknown";
    }
}

inline std::string errorMessage(const std::exception_ptr &e)
{
    try {
        std::rethrow_exception(e);
    } catch (const std::exception &x) {
        return x.what();
    } catch (...) {
        return "unknown exception";
    }
}

} // namespace perfdash::client
