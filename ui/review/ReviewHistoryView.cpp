#include "ui/review/ReviewHistoryView.h"

#include "core/storage/ProjectFile.h"
#include "ui/Wording.h"

#include <algorithm>
#include <string>
#include <vector>

namespace ds::ui {

ReviewHistoryView::ReviewHistoryView(ModelName modelName, QWidget* parent)
    : QTreeWidget(parent)
    , modelName_(std::move(modelName))
{
    setObjectName(QStringLiteral("historyView"));
    setRootIsDecorated(false);
    setHeaderLabels({QStringLiteral("When (UTC)"), QStringLiteral("Who"), QStringLiteral("What"), QStringLiteral("Model shown"),
                     QStringLiteral("Threshold")});
    setAlternatingRowColors(true);
}

void ReviewHistoryView::showImage(const ds::ProjectFile& project, std::int64_t imageId)
{
    clear();
    if (!imageId)
        return;
    struct Entry {
        std::string when;
        QStringList columns;
    };
    std::vector<Entry> entries;
    const auto contextColumns = [this](const ds::ReviewContext& context) {
        const QString model = context.modelId ? modelName_(*context.modelId) : QStringLiteral("—");
        return QStringList {model, context.threshold ? QString::number(*context.threshold, 'f', 4) : QStringLiteral("—")};
    };
    for (const ds::ReviewRecord& review : project.reviews(imageId))
        entries.push_back({review.createdAt,
                           QStringList {QString::fromStdString(review.reviewer),
                                        QStringLiteral("verdict: ") + QString::fromLatin1(ds::verdictName(review.verdict))}
                               + contextColumns(review.context)});
    for (const ds::MaskEditRecord& edit : project.maskEdits(imageId))
        entries.push_back(
            {edit.createdAt,
             QStringList {QString::fromStdString(edit.reviewer),
                          QStringLiteral("mask: %1 (%2 px)").arg(QString::fromStdString(edit.action)).arg(edit.defectPixels)}
                 + contextColumns(edit.context)});
    std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.when < b.when; });
    for (const Entry& entry : entries)
        new QTreeWidgetItem(this, QStringList {readableUtc(entry.when, true)} + entry.columns);
    for (int column = 0; column < columnCount(); ++column)
        resizeColumnToContents(column);
}

} // namespace ds::ui
