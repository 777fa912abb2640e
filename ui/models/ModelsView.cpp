#include "ui/models/ModelsView.h"

#include "core/jobs/RunMetrics.h"
#include "ui/models/ModelsModel.h"

#include <QAction>
#include <QHeaderView>
#include <QSignalBlocker>

namespace ds::ui {

ModelsView::ModelsView(ModelsModel* models, QWidget* parent)
    : QTableView(parent)
    , models_(models)
{
    setObjectName(QStringLiteral("modelsView"));
    setModel(models_);
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setAlternatingRowColors(true);
    setShowGrid(false);
    setWordWrap(false);
    setTextElideMode(Qt::ElideMiddle);
    verticalHeader()->hide();
    horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    horizontalHeader()->setSectionResizeMode(ModelsModel::NameColumn, QHeaderView::Stretch);
    setContextMenuPolicy(Qt::ActionsContextMenu);
    connect(selectionModel(), &QItemSelectionModel::currentRowChanged, this, &ModelsView::selectionChanged);
    // Del here only, where the user's attention is on a model.
    auto* deleteKey = new QAction(this);
    deleteKey->setShortcut(QKeySequence::Delete);
    deleteKey->setShortcutContext(Qt::WidgetShortcut);
    connect(deleteKey, &QAction::triggered, this, &ModelsView::deleteRequested);
    addAction(deleteKey);
}

void ModelsView::refresh(const ds::ProjectFile* project)
{
    const std::int64_t previous = selectedModelId();
    std::vector<ds::ModelSummary> summaries;
    if (project)
        summaries = ds::modelSummaries(*project);
    const QSignalBlocker blocker(selectionModel());
    models_->setSummaries(std::move(summaries));
    select(previous);
}

std::int64_t ModelsView::selectedModelId() const
{
    const QModelIndex current = currentIndex();
    return current.isValid() ? models_->modelIdAt(current.row()) : 0;
}

bool ModelsView::select(std::int64_t modelId)
{
    const std::optional<int> row = models_->rowOf(modelId);
    if (!row)
        return false;
    const QSignalBlocker blocker(selectionModel());
    setCurrentIndex(models_->index(*row, 0));
    return true;
}

std::int64_t ModelsView::newestModelId() const
{
    return models_->modelIdAt(models_->rowCount() - 1);
}

} // namespace ds::ui
