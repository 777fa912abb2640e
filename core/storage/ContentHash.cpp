#include "core/storage/ContentHash.h"

#include "core/Error.h"

#include <QByteArray>
#include <QCryptographicHash>
#include <QFile>
#include <QString>

namespace ds {

std::string sha256Hex(const std::vector<std::uint8_t>& bytes)
{
    const QByteArray view
        = QByteArray::fromRawData(reinterpret_cast<const char*>(bytes.data()), static_cast<qsizetype>(bytes.size()));
    return QCryptographicHash::hash(view, QCryptographicHash::Sha256).toHex().toStdString();
}

std::string sha256HexOfFile(const std::string& path)
{
    QFile file(QString::fromStdString(path));
    QCryptographicHash hash(QCryptographicHash::Sha256);
    if (!file.open(QIODevice::ReadOnly) || !hash.addData(&file))
        throw InputError("Cannot read '" + path + "': " + file.errorString().toStdString());
    return hash.result().toHex().toStdString();
}

} // namespace ds
