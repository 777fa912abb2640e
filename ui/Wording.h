#pragma once
#include <QString>

namespace ds::ui {

// "12.5 s", "3 min 20 s".
QString formatSeconds(double seconds);

// "1 image", "0 images", "12 images".
QString countOf(long long count, const QString& singular, const QString& plural);

} // namespace ds::ui
