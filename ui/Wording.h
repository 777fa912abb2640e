#pragma once
#include <QString>

#include <string>

namespace ds::ui {

// Text from core (UTF-8) for the widgets.
inline QString fromStd(const std::string& text)
{
    return QString::fromStdString(text);
}

// "12.5 s", "3 min 20 s".
QString formatSeconds(double seconds);

// "1 image", "0 images", "12 images".
QString countOf(long long count, const QString& singular, const QString& plural);

// "2026-11-22T14:02:31.123Z" -> "2026-11-22 14:02" (or with seconds): the project's UTC
// timestamps as people read them.
QString readableUtc(const std::string& iso, bool seconds = false);

} // namespace ds::ui
