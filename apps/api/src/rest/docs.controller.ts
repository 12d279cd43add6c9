import { Controller, Get, Header } from '@nestjs/common';
import { Access } from '../auth/auth.guard';
import { DOCS_PAGE } from '../openapi/docs-page';
import { openApiDocument } from '../openapi/openapi';

/** The OpenAPI document and the page that renders it. */
@Controller()
export class DocsController {
  private readonly document = openApiDocument();

  @Get('openapi.json')
  @Access('open')
  openApi(): Record<string, unknown> {
    return this.document;
  }

  @Get('docs')
  @Access('open')
  @Header('Content-Type', 'text/html; charset=utf-8')
  docs(): string {
    return DOCS_PAGE;
  }
}
