from gkpublish.cli import main

raise SystemExit(main())
