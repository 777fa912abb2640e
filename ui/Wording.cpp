#include "ui/Wording.h"

namespace ds::ui {

QString formatSeconds(double seconds)
{
    if (seconds < 60)
        return QString::number(seconds, 'f', 1) + QStringLiteral(" s");
    return QString::number(int(seconds) / 60) + QStringLiteral(" min ") + QString::number(int(seconds) % 60)
        + QStringLiteral(" s");
}

QString countOf(long long count, const QString& singular, const QString& plural)
{
    return QString::number(count) + QLatin1Char(' ') + (count == 1 ? singular : plural);
}

QString readableUtc(const std::string& iso, bool seconds)
{
    QString text = QString::fromStdString(iso).left(seconds ? 19 : 16);
    text.replace(QLatin1Char('T'), QLatin1Char(' '));
    return text;
}

} // namespace ds::ui
